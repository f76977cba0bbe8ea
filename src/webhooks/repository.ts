import { sql, type SQL } from 'drizzle-orm';
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

/**
 * Appends the attempt and decides what follows, only while this worker holds the lease. The
 * decision reads the row's own round counter, so a redelivery asked for while this attempt was in
 * flight (which resets the round) is honoured: a failure then retries on the new round's schedule.
 * `retryDelaysMs[n]` is the wait after the (n+1)-th failed attempt of a round; past its end the
 * delivery is `failed`. Answers the new status, or null when the lease was lost.
 */
export async function recordDeliveryAttempt(
  db: Database,
  delivery: ClaimedDelivery,
  workerId: string,
  attempt: DeliveryAttempt,
  outcome: { succeeded: true } | { succeeded: false; retryDelaysMs: number[] },
): Promise<'pending' | 'succeeded' | 'failed' | null> {
  const d = webhookDeliveries;
  let status: SQL;
  let nextAttemptAt: SQL;
  if (outcome.succeeded) {
    status = sql`'succeeded'::webhook_delivery_status`;
    nextAttemptAt = sql`null`;
  } else {
    const retries = outcome.retryDelaysMs.length;
    const delays = sql`array[${sql.join(
      outcome.retryDelaysMs.map((ms) => sql`${Math.round(ms)}::integer`),
      sql`, `,
    )}]::integer[]`;
    status = sql`case when ${d.roundAttempts} < ${retries}::integer then 'pending'::webhook_delivery_status else 'failed'::webhook_delivery_status end`;
    nextAttemptAt = sql`case when ${d.roundAttempts} < ${retries}::integer then now() + (${delays})[${d.roundAttempts} + 1] * interval '1 millisecond' end`;
  }
  const rows = await db
    .update(d)
    .set({
      status,
      attempts: sql`${d.attempts} || ${JSON.stringify([attempt])}::jsonb`,
      roundAttempts: sql`${d.roundAttempts} + 1`,
      nextAttemptAt,
      lockedUntil: null,
      lockedBy: null,
      updatedAt: sql`now()`,
    })
    .where(inScope(d, delivery, sql`${d.id} = ${delivery.id} and ${d.lockedBy} = ${workerId}`))
    .returning({ status: d.status });
  return rows[0]?.status ?? null;
}

/**
 * Tracks an endpoint's health: a success clears `failingSince`; a failure sets it if unset, and an
 * endpoint whose deliveries have all failed for longer than `disableAfterMs` is disabled.
 */
export async function recordEndpointHealth(db: Database, delivery: ClaimedDelivery, succeeded: boolean, disableAfterMs: number): Promise<void> {
  const e = webhookEndpoints;
  if (succeeded) {
    await db
      .update(e)
      .set({ failingSince: null })
      .where(inScope(e, delivery, sql`${e.id} = ${delivery.endpointId} and ${e.failingSince} is not null`));
    return;
  }
  const tooLong = sql`${e.failingSince} < now() - ${disableAfterMs} * interval '1 millisecond'`;
  const hours = Math.round(disableAfterMs / 3_600_000);
  await db
    .update(e)
    .set({
      failingSince: sql`coalesce(${e.failingSince}, now())`,
      status: sql`case when ${tooLong} then 'disabled'::webhook_endpoint_status else ${e.status} end`,
      disabledReason: sql`case when ${tooLong} and ${e.status} = 'enabled' then ${`Every delivery attempt failed for more than ${hours} hours; re-enable it with PATCH {"status":"enabled"}.`} else ${e.disabledReason} end`,
      updatedAt: sql`case when ${tooLong} and ${e.status} = 'enabled' then now() else ${e.updatedAt} end`,
    })
    .where(inScope(e, delivery, sql`${e.id} = ${delivery.endpointId}`));
}

export async function nextDeliveryDueAt(db: Database): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<string | null>`min(${webhookDeliveries.nextAttemptAt})` })
    .from(webhookDeliveries)
    .where(sql`${webhookDeliveries.status} = 'pending' and (${webhookDeliveries.lockedUntil} is null or ${webhookDeliveries.lockedUntil} < now())`);
  return row?.at ? new Date(row.at) : null;
}
