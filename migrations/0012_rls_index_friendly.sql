-- Row-level security, revised so that it keeps the indexes working. The first version let the
-- workers through with `parseo.scope = 'system'` OR-ed into every policy, and compared the mode as
-- text: PostgreSQL then could not use a policy's (team, mode) as an index condition, nor the
-- query's own `mode = …` (enum equality is not leakproof, so it must wait behind the policy), and a
-- list in a scope with a million neighbouring rows read them all. Now a policy is one plain,
-- indexable condition on (team_id, mode), and the workers act as a role that bypasses it instead.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parseo_system') THEN
    CREATE ROLE parseo_system NOLOGIN BYPASSRLS;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
  WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create the role parseo_system: row-level security will not be enforced';
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parseo_system') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA public TO parseo_system';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO parseo_system';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO parseo_system';
    EXECUTE format('GRANT parseo_system TO %I', current_user);
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot grant to parseo_system: row-level security will not be enforced';
END
$$;
--> statement-breakpoint
DROP POLICY IF EXISTS "clients_scope" ON "clients";
--> statement-breakpoint
CREATE POLICY "clients_scope" ON "clients" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
--> statement-breakpoint
DROP POLICY IF EXISTS "contacts_scope" ON "contacts";
--> statement-breakpoint
CREATE POLICY "contacts_scope" ON "contacts" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
--> statement-breakpoint
DROP POLICY IF EXISTS "jobs_scope" ON "jobs";
--> statement-breakpoint
CREATE POLICY "jobs_scope" ON "jobs" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
--> statement-breakpoint
DROP POLICY IF EXISTS "invoices_scope" ON "invoices";
--> statement-breakpoint
CREATE POLICY "invoices_scope" ON "invoices" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
--> statement-breakpoint
DROP POLICY IF EXISTS "events_scope" ON "events";
--> statement-breakpoint
CREATE POLICY "events_scope" ON "events" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
--> statement-breakpoint
DROP POLICY IF EXISTS "audit_logs_scope" ON "audit_logs";
--> statement-breakpoint
CREATE POLICY "audit_logs_scope" ON "audit_logs" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
--> statement-breakpoint
DROP POLICY IF EXISTS "webhook_endpoints_scope" ON "webhook_endpoints";
--> statement-breakpoint
CREATE POLICY "webhook_endpoints_scope" ON "webhook_endpoints" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
--> statement-breakpoint
DROP POLICY IF EXISTS "webhook_deliveries_scope" ON "webhook_deliveries";
--> statement-breakpoint
CREATE POLICY "webhook_deliveries_scope" ON "webhook_deliveries" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
--> statement-breakpoint
DROP POLICY IF EXISTS "idempotency_keys_scope" ON "idempotency_keys";
--> statement-breakpoint
CREATE POLICY "idempotency_keys_scope" ON "idempotency_keys" USING (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode) WITH CHECK (team_id = current_setting('parseo.team_id', true) AND mode = nullif(current_setting('parseo.mode', true), '')::mode);
