import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe('.data');
    expect(config.uploadMaxBytes).toBe(20 * 1024 * 1024);
    expect(config.worker).toBe('inline');
    expect(config.webhookAllowPrivateTargets).toBe(false);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.adminToken).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.webhookRetrySchedule.length).toBeGreaterThanOrEqual(8);
    // At least a day between first and last attempt in production.
    expect(config.webhookRetrySchedule.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 3600);
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', ADMIN_TOKEN: '', DATA_DIR: '', WORKER: '' });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.adminToken).toBeUndefined();
    expect(config.dataDir).toBe('.data');
    expect(config.worker).toBe('inline');
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db:5432/parseo',
      DATA_DIR: '/var/lib/parseo',
      ADMIN_TOKEN: 'a'.repeat(32),
      PUBLIC_BASE_URL: 'https://api.example.com/',
      LOG_LEVEL: 'warn',
      UPLOAD_MAX_BYTES: '1048576',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '1,2,4',
      WORKER: 'off',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgresql://u:p@db:5432/parseo',
      dataDir: '/var/lib/parseo',
      adminToken: 'a'.repeat(32),
      publicBaseUrl: 'https://api.example.com',
      logLevel: 'warn',
      uploadMaxBytes: 1048576,
      webhookAllowPrivateTargets: true,
      webhookRetrySchedule: [1, 2, 4],
      worker: 'off',
    });
  });

  it('parses WEBHOOK_RETRY_SCHEDULE=1,2,4 to [1, 2, 4]', () => {
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '1,2,4' }).webhookRetrySchedule).toEqual([1, 2, 4]);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '30' }).webhookRetrySchedule).toEqual([30]);
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('reads WEBHOOK_ALLOW_PRIVATE_TARGETS=%s', (value, expected) => {
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: value }).webhookAllowPrivateTargets).toBe(expected);
  });
});

describe('loadConfig refuses bad values', () => {
  it('names every bad variable at once', () => {
    const err = configError({ PORT: 'abc', DATABASE_URL: 'mysql://x', WORKER: 'sometimes', WEBHOOK_RETRY_SCHEDULE: '1,a' });
    for (const name of ['PORT', 'DATABASE_URL', 'WORKER', 'WEBHOOK_RETRY_SCHEDULE']) expect(err.message).toContain(name);
    expect(err.problems).toHaveLength(4);
    for (const name of ['PORT', 'DATABASE_URL', 'WORKER', 'WEBHOOK_RETRY_SCHEDULE']) {
      expect(err.problems.filter((p) => p.startsWith(`${name}:`))).toHaveLength(1);
    }
    // Non-secret values are shown, so the operator sees what was read.
    expect(err.message).toContain('abc');
    expect(err.message).toContain('sometimes');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['WORKER', 'sometimes'],
    ['WEBHOOK_RETRY_SCHEDULE', '1,a'],
    ['WEBHOOK_RETRY_SCHEDULE', '1,,2'],
    ['WEBHOOK_ALLOW_PRIVATE_TARGETS', 'yes please'],
    ['UPLOAD_MAX_BYTES', '0'],
    ['UPLOAD_MAX_BYTES', 'lots'],
    ['LOG_LEVEL', 'loud'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['ADMIN_TOKEN', 'short'],
  ])('%s=%s', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('never echoes a secret', () => {
    const token = 'tooShortSecret1';
    const url = 'mysql://admin:hunter2-s3cret@db.internal:3306/parseo';
    const err = configError({ ADMIN_TOKEN: token, DATABASE_URL: url, PORT: 'abc' });
    expect(err.message).toContain('ADMIN_TOKEN');
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).toContain('PORT');
    for (const text of [err.message, ...err.problems, String(err.stack)]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('db.internal');
      expect(text).not.toContain(url);
    }
  });
});
