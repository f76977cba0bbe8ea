import { sql } from 'drizzle-orm';
import { jobs, webhookDeliveries } from '../../drizzle/schema.ts';
import type { Database } from '../db/client.ts';
import { runAsSystem } from '../db/db-scope.ts';
import { rowsOf } from '../db/rows.ts';
import type { QueueCount } from './metrics.ts';

/**
 * The shared queues' depths, across every team: what a metrics scrape reports. Both counts walk
 * the partial indexes the workers claim from, so they cost the queue's size, not the table's.
 */
export function queueDepths(db: Database): Promise<{ jobs: QueueCount[]; deliveries: QueueCount[] }> {
  return runAsSystem(async () => {
    const result = await db.execute(sql`
      select 'jobs' as queue, mode, count(*)::int as count from ${jobs} where status = 'processing' group by mode
      union all
      select 'deliveries', mode, count(*)::int from ${webhookDeliveries} where status = 'pending' group by mode`);
    const rows = rowsOf<{ queue: string; mode: 'live' | 'test'; count: number }>(result);
    const of = (queue: string) => rows.filter((r) => r.queue === queue).map((r) => ({ mode: r.mode, count: Number(r.count) }));
    return { jobs: of('jobs'), deliveries: of('deliveries') };
  });
}
