import { sql } from 'drizzle-orm';
import { webhookDeliveries, webhookEndpoints } from '../../drizzle/schema.ts';
import type { DeliveryAttempt } from '../../drizzle/webhooks.ts';
import type { Database } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { inScope } from '../db/scope.ts';
import type { Mode } from '../ids.ts';

/** A claimed delivery with what sending it needs: the endpoint and the event. */
export type ClaimedDelivery = {
  id: string;
  teamId: string;
  mode: Mode;
  endpointId: string;
  eventId: string;
  roundAttempts: number;
  url: string;
  secretCiphertext: string;
  endpointStatus: 'enabled' | 'disabled';
  failingSince: Date | null;
  eventType: string;
  eventData: unknown;
  eventCreatedAt: Date;
};

/**
 * Claims due deliveries across all teams under a lease (FOR UPDATE SKIP LOCKED), so several
 * delivery workers never send one delivery at the same time.
 */
export async function claimDeliveries(db: Database, workerId: string, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const result = await db.execute(sql`
    with claimed as (
      update ${webhookDeliveries} d
         set locked_until = now() + ${leaseMs} * interval '1 millisecond', locked_by = ${workerId}, updated_at = now()
       where d.id in (
         select id from ${webhookDeliveries}
          where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
          order by next_attempt_at
          limit ${limit}
          for update skip locked)
      returning d.id, d.team_id, d.mode, d.endpoint_id, d.event_id, d.round_attempts)
    select c.id, c.team_id, c.mode, c.endpoint_id, c.event_id, c.round_attempts,
           e.url, e.secret_ciphertext, e.status as endpoint_status, e.failing_since,
           ev.type as event_type, ev.data as event_data, ev.created_at as event_created_at
      from claimed c
      join webhook_endpoints e on e.team_id = c.team_id and e.mode = c.mode and e.id = c.endpoint_id
      join events ev on ev.team_id = c.team_id and ev.mode = c.mode and ev.id = c.event_id`);
  return rowsOf<Record<string, unknown>>(result).map((r) => ({
    id: String(r.id),
    teamId: String(r.team_id),
    mode: r.mode as Mode,
    endpointId: String(r.endpoint_id),
    eventId: String(r.event_id),
    roundAttempts: Number(r.round_attempts),
    url: String(r.url),
    secretCiphertext: String(r.secret_ciphertext),
    endpointStatus: r.endpoint_status as 'enabled' | 'disabled',
    failingSince: r.failing_since ? new Date(r.failing_since as string) : null,
    eventType: String(r.event_type),
    eventData: typeof r.event_data === 'string' ? JSON.parse(r.event_data) : r.event_data,
    eventCreatedAt: new Date(r.event_created_at as string),
  }));
}

/** Appends the attempt and sets the outcome, only while this worker holds the lease. */
export async function recordDeliveryAttempt(
  db: Database,
  delivery: ClaimedDelivery,
  workerId: string,
  attempt: DeliveryAttempt,
  outcome: { status: 'succeeded' | 'failed' } | { status: 'pending'; retryInMs: number },
): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({
      status: outcome.status,
      attempts: sql`${webhookDeliveries.attempts} || ${JSON.stringify([attempt])}::jsonb`,
      roundAttempts: sql`${webhookDeliveries.roundAttempts} + 1`,
      nextAttemptAt: outcome.status === 'pending' ? sql`now() + ${outcome.retryInMs} * interval '1 millisecond'` : null,
      lockedUntil: null,
      lockedBy: null,
      updatedAt: sql`now()`,
    })
    .where(inScope(webhookDeliveries, delivery, sql`${webhookDeliveries.id} = ${delivery.id} and ${webhookDeliveries.lockedBy} = ${workerId}`))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

/** Tracks an endpoint's health: a success clears it; failures for longer than `disableAfterMs` disable it. */
export async function recordEndpointHealth(db: Database, delivery: ClaimedDelivery, succeeded: boolean, disableAfterMs: number): Promise<void> {
  const where = inScope(webhookEndpoints, delivery, sql`${webhookEndpoints.id} = ${delivery.endpointId}`);
  if (succeeded) {
    if (delivery.failingSince) await db.update(webhookEndpoints).set({ failingSince: null }).where(where);
    return;
  }
  await db
    .update(webhookEndpoints)
    .set({
      failingSince: sql`coalesce(${webhookEndpoints.failingSince}, now())`,
      status: sql`case when ${webhookEndpoints.failingSince} < now() - ${disableAfterMs} * interval '1 millisecond' then 'disabled'::webhook_endpoint_status else ${webhookEndpoints.status} end`,
      disabledReason: sql`case when ${webhookEndpoints.failingSince} < now() - ${disableAfterMs} * interval '1 millisecond' then 'Every delivery failed for ' || ${Math.round(disableAfterMs / 3_600_000)} || ' hours.' else ${webhookEndpoints.disabledReason} end`,
    })
    .where(where);
}

export async function nextDeliveryDueAt(db: Database): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<string | null>`min(${webhookDeliveries.nextAttemptAt})` })
    .from(webhookDeliveries)
    .where(sql`${webhookDeliveries.status} = 'pending' and (${webhookDeliveries.lockedUntil} is null or ${webhookDeliveries.lockedUntil} < now())`);
  return row?.at ? new Date(row.at) : null;
}
