import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const positiveInt = z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive');

const retrySchedule = z
  .string()
  .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'must be comma-separated seconds, e.g. 1,2,4')
  .transform((v) => v.split(',').map(Number));

const envSchema = z.object({
  PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  PUBLIC_BASE_URL: z.url({ message: 'must be an absolute URL' }).default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  UPLOAD_MAX_BYTES: positiveInt.default(20 * 1024 * 1024),
  JSON_BODY_MAX_BYTES: positiveInt.default(1024 * 1024),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: booleanFlag.default(false),
  // Production default: 10 attempts (the first, then one after each wait) over about 35 hours; ±20 % jitter per wait.
  WEBHOOK_RETRY_SCHEDULE: retrySchedule.default([30, 120, 600, 1800, 3600, 10800, 21600, 43200, 43200]),
  WEBHOOK_SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  WEBHOOK_DISABLE_AFTER_HOURS: positiveInt.default(120),
  WORKER: z.enum(['inline', 'off']).default('inline'),
  KEY_USAGE_FLUSH_MS: positiveInt.default(1000),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
  DATABASE_ROW_LEVEL_SECURITY: booleanFlag.default(true),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(300_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(5_000),
});

export type Config = {
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  adminToken: string | undefined;
  publicBaseUrl: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  uploadMaxBytes: number;
  jsonBodyMaxBytes: number;
  webhookAllowPrivateTargets: boolean;
  webhookRetrySchedule: number[];
  webhookSecretKey: string | undefined;
  webhookTimeoutMs: number;
  webhookDisableAfterHours: number;
  worker: 'inline' | 'off';
  keyUsageFlushMs: number;
  shutdownTimeoutMs: number;
  /** Bearer token for GET /metrics; unset: open (scrape it on an internal network). */
  metricsToken: string | undefined;
  /** Act as the role row-level security applies to (PostgreSQL only). */
  rowLevelSecurity: boolean;
  /** Slow clients: time to send the headers, the whole request, and idle time on a kept-alive connection. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
};

const SECRET_VARIABLES = new Set(['ADMIN_TOKEN', 'DATABASE_URL', 'WEBHOOK_SECRET_KEY', 'METRICS_TOKEN']);

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Parses the environment once; every bad variable is named with what is wrong with it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most twelve-factor tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        // Secrets are never echoed back, not even in a start-up error.
        const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(present[name] ?? null)})`;
        return `${name}: ${i.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    adminToken: e.ADMIN_TOKEN,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    jsonBodyMaxBytes: e.JSON_BODY_MAX_BYTES,
    webhookAllowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    webhookRetrySchedule: e.WEBHOOK_RETRY_SCHEDULE,
    webhookSecretKey: e.WEBHOOK_SECRET_KEY,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    webhookDisableAfterHours: e.WEBHOOK_DISABLE_AFTER_HOURS,
    worker: e.WORKER,
    keyUsageFlushMs: e.KEY_USAGE_FLUSH_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    rowLevelSecurity: e.DATABASE_ROW_LEVEL_SECURITY,
    http: { headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS },
  };
}
