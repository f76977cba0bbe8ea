-- A tenant row never changes team, mode or ID: not through the API, not through raw SQL.
-- (The ID check already ties the mode to the ID; this also refuses moving both together, or
-- moving a row to another team.)
CREATE FUNCTION "forbid_scope_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.team_id IS DISTINCT FROM OLD.team_id OR NEW.mode IS DISTINCT FROM OLD.mode OR NEW.id IS DISTINCT FROM OLD.id THEN
    RAISE EXCEPTION 'the team, mode and id of a % row are immutable', TG_TABLE_NAME
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "clients_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "clients" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
--> statement-breakpoint
CREATE TRIGGER "contacts_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "contacts" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_logs_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "audit_logs" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
--> statement-breakpoint
CREATE TRIGGER "events_scope_immutable" BEFORE UPDATE OF "team_id", "mode", "id" ON "events" FOR EACH ROW EXECUTE FUNCTION "forbid_scope_change"();
