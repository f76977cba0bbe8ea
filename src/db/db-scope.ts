import { AsyncLocalStorage } from 'node:async_hooks';
import type { Mode } from '../ids.ts';

/**
 * Whose rows the statements of the current async flow may touch, as PostgreSQL's row-level
 * security sees it: a tenant's (team, mode), set for the rest of a request once its key is known,
 * or `system`, for the workers, which serve every team. Outside both, a statement touches nothing.
 */
export type DbScope = { kind: 'tenant'; teamId: string; mode: Mode } | { kind: 'system' };

const storage = new AsyncLocalStorage<DbScope>();

export function runInTenantScope<T>(scope: { teamId: string; mode: Mode }, fn: () => T): T {
  return storage.run({ kind: 'tenant', teamId: scope.teamId, mode: scope.mode }, fn);
}

/** For work that crosses tenants by design: the job and delivery workers, the stored-file sweep. */
export function runAsSystem<T>(fn: () => T): T {
  return storage.run({ kind: 'system' }, fn);
}

/** Whose statement is about to run: a tenant's (with its team and mode), the workers', or nobody's. */
export function scopeSettings(): [kind: 'tenant' | 'system' | 'none', teamId: string, mode: string] {
  const scope = storage.getStore();
  if (!scope) return ['none', '', ''];
  return scope.kind === 'system' ? ['system', '', ''] : ['tenant', scope.teamId, scope.mode];
}
