CREATE INDEX "jobs_scope_client_idx" ON "jobs" USING btree ("team_id","mode","client_id");--> statement-breakpoint
CREATE INDEX "jobs_file_idx" ON "jobs" USING btree ("file_sha256");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event_idx" ON "webhook_deliveries" USING btree ("team_id","mode","event_id");