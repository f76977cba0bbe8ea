import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, createTenant } from './lib/api.ts';
import { freshDatabase } from './lib/database.ts';
import { ROOT, startProcess } from './lib/process.ts';
import { seedContacts } from './lib/seed.ts';
import { getById } from './scenarios/get-by-id.ts';
import { listGrowth } from './scenarios/list-growth.ts';
import type { Figures, Scenario, ScenarioContext } from './scenarios/types.ts';
import { rateLimitCost } from './scenarios/rate-limit.ts';
import { testModeReset } from './scenarios/reset.ts';
import { soak } from './scenarios/soak.ts';
import { uploadLatency, uploadMemory } from './scenarios/uploads.ts';
import { webhookFanOut } from './scenarios/webhooks.ts';

/**
 * `npm run bench`: our server against a fresh PostgreSQL database, one scenario after another, each
 * run BENCH_RUNS times (median reported). Prints a table and writes bench/results/latest.json.
 *   BENCH_DATABASE_URL  the server to create the database on (default: local PostgreSQL)
 *   BENCH_RUNS          repetitions per figure (default 3)
 *   BENCH_SECONDS       seconds per load run (default 10)
 *   BENCH_ONLY          comma-separated scenario names
 *   BENCH_SOAK_SECONDS  length of the soak (default 180)
 */
const scenarios: Record<string, { title: string; run: Scenario }> = {
  'get-by-id': { title: 'GET /contacts/{id}, 50 connections, ours vs bare', run: getById },
  'list-growth': { title: 'GET /contacts?limit=20 as other rows grow', run: listGrowth },
  'upload-latency': { title: 'Upload → job completed (test mode)', run: uploadLatency },
  'upload-memory': { title: 'Peak RSS growth, four concurrent 18 MB uploads', run: uploadMemory },
  reset: { title: 'Test-mode reset, 100k test rows beside 100k live rows', run: testModeReset },
  'rate-limit': { title: 'What the rate limiter costs a request (in-process)', run: rateLimitCost },
  soak: { title: 'Steady mixed load for minutes: memory and errors', run: soak },
  // Last: it stops the main server, so its worker cannot take deliveries meant for the one measured.
  'webhook-fanout': { title: 'Webhook deliveries per second to a local receiver', run: webhookFanOut },
};

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const runs = Number(process.env.BENCH_RUNS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const log = (line: string) => console.log(line);
process.on('SIGINT', () => process.exit(130));

const started = Date.now();
const db = await freshDatabase(serverUrl);
const dataDir = join(ROOT, '.data', `bench-${Date.now()}`);
const serverEnv = {
  DATABASE_URL: db.url,
  DATA_DIR: dataDir,
  ADMIN_TOKEN,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
};
const children: { stop: () => Promise<void> }[] = [];
mkdirSync(dataDir, { recursive: true });
const startOurs = async (env: Record<string, string> = {}) => {
  // Logged at info to a file, as in production: serialising and writing the lines is part of the cost.
  const child = await startProcess('src/server.ts', { ...serverEnv, ...env }, { logFile: join(dataDir, 'server.log') });
  children.push(child);
  return child;
};

const databases = [db];
const newDatabase = async () => {
  const extra = await freshDatabase(serverUrl);
  databases.push(extra);
  return extra;
};

const results: Record<string, Figures> = {};
try {
  const ours = await startOurs();
  const tenant = await createTenant(ours.origin, 'Bench');
  await seedContacts(db.sql, tenant.teamId, 'test', 1000, 'bench');
  const ctx: ScenarioContext = { db, ours, startOurs, newDatabase, tenant, runs, seconds, log };
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    log(`--- ${name}: ${scenario.title}`);
    const t0 = Date.now();
    results[name] = await scenario.run(ctx);
    log(`    ${JSON.stringify(results[name])} (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
} finally {
  for (const child of children) await child.stop();
  for (const database of databases) await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
}

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
const report = { at: new Date().toISOString(), machine, runs, seconds, durationSeconds: Math.round((Date.now() - started) / 1000), results };
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

console.log('\nscenario            figure                          value');
for (const [name, figures] of Object.entries(results)) {
  for (const [figure, value] of Object.entries(figures)) console.log(`${name.padEnd(20)}${figure.padEnd(32)}${Array.isArray(value) ? value.join(' / ') : value}`);
}
console.log(`\n${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; ${report.durationSeconds} s. Written to bench/results/latest.json`);
