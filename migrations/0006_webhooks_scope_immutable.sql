CREATE TRIGGER "webhook_endpoints_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "webhook_endpoints" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
--> statement-breakpoint
CREATE TRIGGER "webhook_deliveries_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "webhook_deliveries" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
--> statement-breakpoint
CREATE TRIGGER "api_keys_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "api_keys" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
