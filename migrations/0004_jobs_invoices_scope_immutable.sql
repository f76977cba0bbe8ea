CREATE TRIGGER "jobs_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "jobs" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
--> statement-breakpoint
CREATE TRIGGER "invoices_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "invoices" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
