import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCOPES } from './auth/keys.ts';
import type { Database } from './db/client.ts';
import { randomBase62 } from './ids.ts';
import { insertApiKey } from './resources/api-keys/repository.ts';
import { countTeams, insertTeam } from './resources/teams/repository.ts';

export type DemoTeam = { teamId: string; liveKey: string; testKey: string };

/** On an empty embedded database, a team `demo` with one key per mode, so a newcomer can curl at once. */
export async function seedDemoTeam(db: Database): Promise<DemoTeam | null> {
  if ((await countTeams(db)) > 0) return null;
  return db.transaction(async (tx) => {
    const team = await insertTeam(tx, { name: 'Demo', slug: 'demo', plan: 'pro', credits: 100 });
    if (!team) return null;
    const live = await insertApiKey(tx, { teamId: team.id, name: 'Demo live key', mode: 'live', scopes: SCOPES });
    const test = await insertApiKey(tx, { teamId: team.id, name: 'Demo test key', mode: 'test', scopes: SCOPES });
    return { teamId: team.id, liveKey: live.secret, testKey: test.secret };
  });
}

/**
 * The embedded set-up's admin token when ADMIN_TOKEN is unset: generated on first start and
 * kept (mode 0600) under DATA_DIR so it survives restarts. `created` says whether to show it.
 */
export function embeddedAdminToken(dataDir: string): { token: string; created: boolean; path: string } {
  const path = join(dataDir, 'admin-token');
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), created: false, path };
  mkdirSync(dataDir, { recursive: true });
  const token = `padm_${randomBase62(40)}`;
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { token, created: true, path };
}
