import { sql } from 'drizzle-orm';
import { rateLimitCounters } from '../../drizzle/schema.ts';
import type { Database } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import type { TenantScope } from '../tenancy/scope.ts';

export type WindowCounts = { minuteStart: Date; minuteCount: number; hourStart: Date; hourCount: number };
export type Grant = WindowCounts & { granted: number };
export type RequestLimits = { perMinute: number; perHour: number };

type CounterRow = { minute_start: string | Date; minute_count: number; hour_start: string | Date; hour_count: number; last_grant: number };

const toCounts = (row: CounterRow): WindowCounts => ({
  minuteStart: new Date(row.minute_start),
  minuteCount: Number(row.minute_count),
  hourStart: new Date(row.hour_start),
  hourCount: Number(row.hour_count),
});

/**
 * Grants up to `want` requests from both the current minute and hour of (team, mode), never more
 * than either ceiling leaves, in one atomic statement. The windows follow the database clock, so
 * every instance agrees on them; a counter from an older window starts again from zero.
 */
export async function grantRequests(db: Database, scope: TenantScope, want: number, limits: RequestLimits): Promise<Grant> {
  const minute = sql`date_trunc('minute', now(), 'UTC')`;
  const hour = sql`date_trunc('hour', now(), 'UTC')`;
  const usedMinute = sql`(case when c.minute_start = excluded.minute_start then c.minute_count else 0 end)`;
  const usedHour = sql`(case when c.hour_start = excluded.hour_start then c.hour_count else 0 end)`;
  const grant = sql`greatest(0, least(${want}::int, ${limits.perMinute}::int - ${usedMinute}, ${limits.perHour}::int - ${usedHour}))`;
  const first = sql`greatest(0, least(${want}::int, ${limits.perMinute}::int, ${limits.perHour}::int))`;
  const result = await db.execute(sql`
    insert into ${rateLimitCounters} as c (team_id, mode, minute_start, minute_count, hour_start, hour_count, last_grant)
    values (${scope.teamId}, ${scope.mode}, ${minute}, ${first}, ${hour}, ${first}, ${first})
    on conflict (team_id, mode) do update set
      minute_start = excluded.minute_start,
      hour_start = excluded.hour_start,
      minute_count = ${usedMinute} + ${grant},
      hour_count = ${usedHour} + ${grant},
      last_grant = ${grant}
    returning minute_start, minute_count, hour_start, hour_count, last_grant`);
  const [row] = rowsOf<CounterRow>(result);
  return { ...toCounts(row!), granted: Number(row!.last_grant) };
}
