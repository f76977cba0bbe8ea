-- Row-level security on every tenant table: defence in depth beneath the repositories' own
-- (team_id, mode) conditions. The application acts as the role parseo_app (no BYPASSRLS, not the
-- owner) and, before each statement, states the (team, mode) it works for in parseo.team_id and
-- parseo.mode; the workers, which serve every team, state parseo.scope = 'system' instead. A
-- statement that forgets its scope then reads nothing and writes nothing of any tenant.
-- Superusers bypass row-level security whatever is declared, which is why the role matters.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parseo_app') THEN
    CREATE ROLE parseo_app NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION
  -- Roles belong to the whole cluster: another database's migration may be creating it right now.
  WHEN duplicate_object OR unique_violation THEN NULL;
  WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create the role parseo_app: row-level security will not be enforced';
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parseo_app') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA public TO parseo_app';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO parseo_app';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO parseo_app';
    -- The login role must be able to act as parseo_app (a superuser always can).
    EXECUTE format('GRANT parseo_app TO %I', current_user);
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot grant to parseo_app: row-level security will not be enforced';
END
$$;
--> statement-breakpoint
ALTER TABLE "clients" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "clients" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "clients_scope" ON "clients" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
--> statement-breakpoint
ALTER TABLE "contacts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "contacts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "contacts_scope" ON "contacts" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
--> statement-breakpoint
ALTER TABLE "jobs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "jobs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "jobs_scope" ON "jobs" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
--> statement-breakpoint
ALTER TABLE "invoices" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "invoices" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "invoices_scope" ON "invoices" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
--> statement-breakpoint
ALTER TABLE "events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "events_scope" ON "events" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
--> statement-breakpoint
ALTER TABLE "audit_logs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_logs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "audit_logs_scope" ON "audit_logs" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "webhook_endpoints_scope" ON "webhook_endpoints" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "webhook_deliveries_scope" ON "webhook_deliveries" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "idempotency_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "idempotency_keys_scope" ON "idempotency_keys" USING (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true))) WITH CHECK (current_setting('parseo.scope', true) = 'system' OR (team_id = current_setting('parseo.team_id', true) AND mode::text = current_setting('parseo.mode', true)));
