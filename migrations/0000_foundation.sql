CREATE TYPE "public"."mode" AS ENUM('live', 'test');--> statement-breakpoint
CREATE TABLE "teams" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"plan" text NOT NULL,
	"requests_per_minute" integer,
	"requests_per_hour" integer,
	"max_queue_depth" integer,
	"credits" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_slug_unique" UNIQUE("slug"),
	CONSTRAINT "teams_id_prefix" CHECK ("teams"."id" ~ '^team_[0-9A-Za-z]{24}$'),
	CONSTRAINT "teams_credits_non_negative" CHECK ("teams"."credits" >= 0)
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"name" text NOT NULL,
	"mode" "mode" NOT NULL,
	"prefix" text NOT NULL,
	"digest" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	"last_used_at" timestamp (3) with time zone,
	"last_used_ip" text,
	"request_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "api_keys_digest_unique" UNIQUE("digest"),
	CONSTRAINT "api_keys_id_prefix" CHECK ("api_keys"."id" ~ '^key_[0-9A-Za-z]{24}$'),
	CONSTRAINT "api_keys_prefix_matches_mode" CHECK ("api_keys"."prefix" = 'parseo_' || "api_keys"."mode"::text || '_' || substr("api_keys"."prefix", 13))
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_team_created_idx" ON "api_keys" USING btree ("team_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);