-- team_id and mode are far from independent (a team's rows sit mostly in one mode), and the
-- planner assumes they are: it then expects a small (team, mode) to hold thousands of rows and
-- sorts a bitmap scan in parallel workers instead of reading the first page off the index.
-- Joint statistics give it the real counts, so a list stays as cheap at 1M rows as at none.
CREATE STATISTICS "clients_scope_stats" (mcv, dependencies) ON "team_id", "mode" FROM "clients";
--> statement-breakpoint
CREATE STATISTICS "contacts_scope_stats" (mcv, dependencies) ON "team_id", "mode" FROM "contacts";
--> statement-breakpoint
CREATE STATISTICS "jobs_scope_stats" (mcv, dependencies) ON "team_id", "mode" FROM "jobs";
--> statement-breakpoint
CREATE STATISTICS "invoices_scope_stats" (mcv, dependencies) ON "team_id", "mode" FROM "invoices";
--> statement-breakpoint
CREATE STATISTICS "events_scope_stats" (mcv, dependencies) ON "team_id", "mode" FROM "events";
--> statement-breakpoint
CREATE STATISTICS "audit_logs_scope_stats" (mcv, dependencies) ON "team_id", "mode" FROM "audit_logs";
--> statement-breakpoint
CREATE STATISTICS "webhook_endpoints_scope_stats" (mcv, dependencies) ON "team_id", "mode" FROM "webhook_endpoints";
--> statement-breakpoint
CREATE STATISTICS "webhook_deliveries_scope_stats" (mcv, dependencies) ON "team_id", "mode" FROM "webhook_deliveries";
