CREATE TYPE "public"."job_status" AS ENUM('processing', 'completed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."document_type" AS ENUM('invoice', 'credit_note');--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"status" "job_status" DEFAULT 'processing' NOT NULL,
	"client_id" text,
	"file_sha256" text NOT NULL,
	"filename" text,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"hints" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"credit_reserved" boolean DEFAULT false NOT NULL,
	"error_code" text,
	"error_detail" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 5 NOT NULL,
	"run_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp (3) with time zone,
	"locked_by" text,
	"completed_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "jobs_scope_id" UNIQUE("team_id","mode","id"),
	CONSTRAINT "jobs_id_matches_mode" CHECK ("jobs"."id" ~ ('^job_' || "jobs"."mode"::text || '_[0-9A-Za-z]{24}$'))
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"mode" "mode" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"job_id" text NOT NULL,
	"client_id" text,
	"seller_contact_id" text,
	"buyer_contact_id" text,
	"document_type" "document_type" NOT NULL,
	"invoice_number" text,
	"issue_date" text,
	"due_date" text,
	"currency" text,
	"seller" jsonb,
	"buyer" jsonb,
	"lines" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"allowance_charges" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"totals" jsonb NOT NULL,
	"extraction" jsonb NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"file_sha256" text NOT NULL,
	"filename" text,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invoices_scope_id" UNIQUE("team_id","mode","id"),
	CONSTRAINT "invoices_job_once" UNIQUE("team_id","mode","job_id"),
	CONSTRAINT "invoices_id_matches_mode" CHECK ("invoices"."id" ~ ('^inv_' || "invoices"."mode"::text || '_[0-9A-Za-z]{24}$'))
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_client_fk" FOREIGN KEY ("team_id","mode","client_id") REFERENCES "public"."clients"("team_id","mode","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_job_fk" FOREIGN KEY ("team_id","mode","job_id") REFERENCES "public"."jobs"("team_id","mode","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_client_fk" FOREIGN KEY ("team_id","mode","client_id") REFERENCES "public"."clients"("team_id","mode","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_seller_fk" FOREIGN KEY ("team_id","mode","seller_contact_id") REFERENCES "public"."contacts"("team_id","mode","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_buyer_fk" FOREIGN KEY ("team_id","mode","buyer_contact_id") REFERENCES "public"."contacts"("team_id","mode","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_scope_created_idx" ON "jobs" USING btree ("team_id","mode","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "jobs_queue_idx" ON "jobs" USING btree ("run_at") WHERE "jobs"."status" = 'processing';--> statement-breakpoint
CREATE INDEX "jobs_scope_in_flight_idx" ON "jobs" USING btree ("team_id","mode") WHERE "jobs"."status" = 'processing';--> statement-breakpoint
CREATE INDEX "invoices_scope_created_idx" ON "invoices" USING btree ("team_id","mode","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "invoices_scope_client_idx" ON "invoices" USING btree ("team_id","mode","client_id");--> statement-breakpoint
CREATE INDEX "invoices_scope_seller_idx" ON "invoices" USING btree ("team_id","mode","seller_contact_id");--> statement-breakpoint
CREATE INDEX "invoices_scope_buyer_idx" ON "invoices" USING btree ("team_id","mode","buyer_contact_id");