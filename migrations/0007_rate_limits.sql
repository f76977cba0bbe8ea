CREATE TABLE "rate_limit_counters" (
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"window" text NOT NULL,
	"window_start" timestamp (3) with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "rate_limit_counters_team_id_mode_window_window_start_pk" PRIMARY KEY("team_id","mode","window","window_start"),
	CONSTRAINT "rate_limit_counters_window" CHECK ("rate_limit_counters"."window" in ('minute', 'hour'))
);
--> statement-breakpoint
ALTER TABLE "rate_limit_counters" ADD CONSTRAINT "rate_limit_counters_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rate_limit_counters_sweep_idx" ON "rate_limit_counters" USING btree ("window_start");