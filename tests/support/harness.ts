import { inject } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { KeyCache } from '../../src/auth/key-cache.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { queueDepths } from '../../src/observability/repository.ts';
import { KeyUsageTracker } from '../../src/auth/key-usage.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import type { Mode } from '../../src/ids.ts';
import { createLogger } from '../../src/logger.ts';
import type { Extractor } from '../../src/pipeline/extractor.ts';
import { liveExtractor } from '../../src/pipeline/live-extractor.ts';
import { JobSignals } from '../../src/pipeline/signals.ts';
import { JobWorker } from '../../src/pipeline/worker.ts';
import { FileStore } from '../../src/storage/file-store.ts';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { SecretBox } from '../../src/webhooks/secrets.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export type Harness = {
  app: App;
  database: DatabaseHandle;
  config: Config;
  keyUsage: KeyUsageTracker;
  keys: KeyCache;
  metrics: Metrics;
  files: FileStore;
  signals: JobSignals;
  box: SecretBox;
  /** Every log line the app has written, as raw JSON text. */
  logs: string[];
  /** Starts an in-process job worker on this harness's database (stopped by the returned function). */
  startWorker(options?: { extractor?: Extractor; leaseMs?: number; idlePollMs?: number }): Promise<JobWorker>;
  /** Starts a webhook delivery worker on this harness's database. */
  startDeliveryWorker(options?: { idlePollMs?: number }): Promise<DeliveryWorker>;
};

let shared: Promise<Harness> | undefined;

/** One database and one app per test worker (see vitest.config.ts). */
export function harness(): Promise<Harness> {
  shared ??= buildHarness();
  return shared;
}

export async function buildHarness(env: Record<string, string> = {}): Promise<Harness> {
  const url = inject('databaseUrl');
  const database = url ? openDatabase({ kind: 'postgres', url, poolSize: 5 }) : openDatabase({ kind: 'pglite' });
  // On PostgreSQL the global setup already migrated; this is then a no-op.
  await database.migrate();
  // As in production: on PostgreSQL every statement runs as parseo_app, under row-level security.
  await database.enforceRowLevelSecurity();
  const h = buildApp(database, env);
  await h.startWorker();
  await h.startDeliveryWorker();
  return h;
}

export function buildApp(database: DatabaseHandle, env: Record<string, string> = {}): Harness {
  const dataDir = env.DATA_DIR ?? inject('dataDir');
  const config = loadConfig({
    ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: 'https://api.parseo.test',
    DATA_DIR: dataDir,
    // Receivers in tests listen on loopback, and retries come within a second.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '0.2,0.4',
    WEBHOOK_TIMEOUT_MS: '2000',
    ...env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  // Flushed by hand in tests; the interval is long so nothing happens behind a test's back.
  const keyUsage = new KeyUsageTracker(database.db, logger, 3_600_000);
  // Trusted once its first heartbeat lands; until then every request looks its key up.
  const keys = new KeyCache(database, logger);
  void keys.start();
  const files = new FileStore(config.dataDir);
  const signals = new JobSignals();
  // One key and one file store for every test worker: on PostgreSQL, a worker process may send
  // deliveries or run jobs that another process created.
  const box = new SecretBox(Buffer.alloc(32, 7));
  const metrics = new Metrics(() => queueDepths(database.db));
  const app = createApp({ config, database, logger, keyUsage, keys, files, signals, box, metrics });
  const startWorker: Harness['startWorker'] = async (options = {}) => {
    const worker = new JobWorker({ database, files, signals, logger, metrics, extractor: options.extractor ?? liveExtractor, leaseMs: options.leaseMs, idlePollMs: options.idlePollMs });
    await worker.start();
    return worker;
  };
  const startDeliveryWorker: Harness['startDeliveryWorker'] = async (options = {}) => {
    const worker = new DeliveryWorker({
      database,
      logger,
      box,
      metrics,
      retrySchedule: config.webhookRetrySchedule,
      timeoutMs: config.webhookTimeoutMs,
      allowPrivateTargets: config.webhookAllowPrivateTargets,
      disableAfterHours: config.webhookDisableAfterHours,
      idlePollMs: options.idlePollMs,
    });
    await worker.start();
    return worker;
  };
  return { app, database, config, keyUsage, keys, files, signals, box, metrics, logs, startWorker, startDeliveryWorker };
}

export type ApiResponse<T = any> = { status: number; headers: Headers; body: T; text: string };

export type RequestOptions = {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
};

/** Sends one request through the app in-process and parses the answer. */
export async function call<T = any>(app: App, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers);
  if (options.key) headers.set('Authorization', `Bearer ${options.key}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
  }
  const qs = options.query ? `?${new URLSearchParams(options.query)}` : '';
  const res = await app.request(`${path}${qs}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if (/json/.test(res.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const admin = <T = any>(app: App, method: string, path: string, options: RequestOptions = {}) =>
  call<T>(app, method, `/admin/v1${path}`, { key: ADMIN_TOKEN, ...options });

export const partner = <T = any>(app: App, method: string, path: string, key: string, options: RequestOptions = {}) =>
  call<T>(app, method, `/external/v1${path}`, { key, ...options });

let teamCounter = 0;

/** A team on the enterprise plan unless told otherwise, so ceilings stay out of tests not about them. */
export async function createTeam(app: App, body: Record<string, unknown> = {}) {
  const res = await admin(app, 'POST', '/teams', { body: { name: `Team ${++teamCounter} ${Date.now()}`, credits: 10, plan: 'enterprise', ...body } });
  if (res.status !== 201) throw new Error(`team creation failed: ${res.status} ${res.text}`);
  return res.body as { id: string; slug: string; credits: number };
}

export async function createKey(app: App, teamId: string, mode: Mode, scopes?: string[]) {
  const res = await admin(app, 'POST', `/teams/${teamId}/api-keys`, { body: { name: `${mode} key`, mode, ...(scopes && { scopes }) } });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${res.text}`);
  return res.body as { id: string; secret: string; prefix: string };
}

/** A team with one live and one test key holding every scope. */
export async function createTenant(app: App, teamBody: Record<string, unknown> = {}) {
  const team = await createTeam(app, teamBody);
  const live = await createKey(app, team.id, 'live');
  const test = await createKey(app, team.id, 'test');
  return { team, live: live.secret, test: test.secret, liveKey: live, testKey: test };
}
