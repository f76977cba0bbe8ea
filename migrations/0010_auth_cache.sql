CREATE TABLE "api_instances" (
	"id" text PRIMARY KEY NOT NULL,
	"heartbeat_at" timestamp (3) with time zone NOT NULL,
	"seen_revision" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_revision" (
	"id" integer PRIMARY KEY NOT NULL,
	"revision" bigint NOT NULL,
	CONSTRAINT "auth_revision_single_row" CHECK ("auth_revision"."id" = 1)
);
