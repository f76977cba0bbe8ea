import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';

/**
 * The bare baseline: hono + postgres.js and the same SELECT by primary key as
 * `GET /external/v1/contacts/{id}` — no auth, no scoping, no validation, no logging.
 */
const sql = postgres(process.env.DATABASE_URL!, { max: Number(process.env.POOL_SIZE ?? 10), onnotice: () => {} });
const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.get('/contacts/:id', async (c) => {
  const [row] = await sql`select * from contacts where id = ${c.req.param('id')}`;
  return row ? c.json(row) : c.json({ error: 'not found' }, 404);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT) }, () => console.log(JSON.stringify({ msg: 'listening' })));
process.on('SIGTERM', () => void sql.end({ timeout: 1 }).then(() => process.exit(0)));
