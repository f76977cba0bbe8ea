CREATE TABLE "rate_limit_counters" (
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"minute_start" timestamp (3) with time zone NOT NULL,
	"minute_count" integer NOT NULL,
	"hour_start" timestamp (3) with time zone NOT NULL,
	"hour_count" integer NOT NULL,
	"last_grant" integer NOT NULL,
	CONSTRAINT "rate_limit_counters_team_id_mode_pk" PRIMARY KEY("team_id","mode"),
	CONSTRAINT "rate_limit_counters_non_negative" CHECK ("rate_limit_counters"."minute_count" >= 0 and "rate_limit_counters"."hour_count" >= 0 and "rate_limit_counters"."last_grant" >= 0)
);
--> statement-breakpoint
ALTER TABLE "rate_limit_counters" ADD CONSTRAINT "rate_limit_counters_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;