export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export type Tenant = { teamId: string; live: string; test: string };

async function call(origin: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export const adminCall = (origin: string, method: string, path: string, body?: unknown) => call(origin, method, `/admin/v1${path}`, ADMIN_TOKEN, body);
export const partnerCall = (origin: string, method: string, path: string, key: string, body?: unknown) => call(origin, method, `/external/v1${path}`, key, body);

/** A team whose ceilings stay out of the way of a load test, with a key per mode. */
export async function createTenant(origin: string, name: string): Promise<Tenant> {
  const limits = { requestsPerMinute: 1_000_000_000, requestsPerHour: 1_000_000_000, maxQueueDepth: 100_000 };
  const team = await adminCall(origin, 'POST', '/teams', { name, plan: 'enterprise', credits: 1000, limits });
  const live = await adminCall(origin, 'POST', `/teams/${team.id}/api-keys`, { name: 'bench live', mode: 'live' });
  const test = await adminCall(origin, 'POST', `/teams/${team.id}/api-keys`, { name: 'bench test', mode: 'test' });
  return { teamId: team.id, live: live.secret, test: test.secret };
}
