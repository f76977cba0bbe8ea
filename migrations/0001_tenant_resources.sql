CREATE TYPE "public"."contact_role" AS ENUM('supplier', 'customer', 'both');--> statement-breakpoint
CREATE TABLE "clients" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"external_ref" text,
	"vat_id" text,
	"country" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clients_scope_id" UNIQUE("team_id","mode","id"),
	CONSTRAINT "clients_id_matches_mode" CHECK ("clients"."id" ~ ('^cl_' || "clients"."mode"::text || '_[0-9A-Za-z]{24}$'))
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"client_id" text,
	"name" text NOT NULL,
	"email" text,
	"vat_id" text,
	"role" "contact_role",
	"address" jsonb,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contacts_scope_id" UNIQUE("team_id","mode","id"),
	CONSTRAINT "contacts_id_matches_mode" CHECK ("contacts"."id" ~ ('^ct_' || "contacts"."mode"::text || '_[0-9A-Za-z]{24}$'))
);
--> statement-breakpoint
CREATE TABLE "audit_logs" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text NOT NULL,
	"actor_key_id" text NOT NULL,
	"actor_key_prefix" text NOT NULL,
	"actor_key_name" text NOT NULL,
	"request_id" text NOT NULL,
	"ip_address" text,
	CONSTRAINT "audit_logs_scope_id" UNIQUE("team_id","mode","id"),
	CONSTRAINT "audit_logs_id_matches_mode" CHECK ("audit_logs"."id" ~ ('^al_' || "audit_logs"."mode"::text || '_[0-9A-Za-z]{24}$'))
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "events_scope_id" UNIQUE("team_id","mode","id"),
	CONSTRAINT "events_id_matches_mode" CHECK ("events"."id" ~ ('^evt_' || "events"."mode"::text || '_[0-9A-Za-z]{24}$'))
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"response_status" integer,
	"response_body" text,
	"response_headers" jsonb,
	"locked_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_team_id_mode_key_pk" PRIMARY KEY("team_id","mode","key"),
	CONSTRAINT "idempotency_keys_key_length" CHECK (length("idempotency_keys"."key") between 1 and 255)
);
--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_client_fk" FOREIGN KEY ("team_id","mode","client_id") REFERENCES "public"."clients"("team_id","mode","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD CONSTRAINT "audit_logs_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "clients_scope_created_idx" ON "clients" USING btree ("team_id","mode","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "contacts_scope_created_idx" ON "contacts" USING btree ("team_id","mode","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "contacts_scope_client_idx" ON "contacts" USING btree ("team_id","mode","client_id");--> statement-breakpoint
CREATE INDEX "contacts_scope_email_idx" ON "contacts" USING btree ("team_id","mode",lower("email"));--> statement-breakpoint
CREATE INDEX "contacts_scope_vat_idx" ON "contacts" USING btree ("team_id","mode","vat_id");--> statement-breakpoint
CREATE INDEX "audit_logs_scope_created_idx" ON "audit_logs" USING btree ("team_id","mode","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_scope_resource_idx" ON "audit_logs" USING btree ("team_id","mode","resource_id");--> statement-breakpoint
CREATE INDEX "events_scope_created_idx" ON "events" USING btree ("team_id","mode","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);