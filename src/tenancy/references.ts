import { sqlState } from '../db/errors.ts';
import { ApiError } from '../errors/api-error.ts';
import { parseId } from '../ids.ts';
import type { TenantContext } from './context.ts';
import type { TenantScope } from './scope.ts';

/** What the reference rules need to know about a kind of resource. */
export type ReferenceKind = {
  prefix: string;
  noun: string;
  exists: (ctx: TenantContext, id: string) => Promise<boolean>;
};

function otherModeDetail(id: string, idMode: string, scope: TenantScope): string {
  return `${id} is a ${idMode}-mode ID, and this request was made with a ${scope.mode} key. The modes never cross: use a parseo_${idMode}_… key to reach it.`;
}

/**
 * A path ID: of the other mode → 404 that says so, decided from the prefix alone (no lookup, so
 * nothing is revealed about the other mode); of the wrong type or shape → plain 404.
 */
export function assertPathId(scope: TenantScope, id: string, kind: Pick<ReferenceKind, 'prefix' | 'noun'>): void {
  const parsed = parseId(id);
  if (parsed?.prefix === kind.prefix && parsed.mode !== scope.mode) {
    throw new ApiError('resource.not_found', `No such ${kind.noun}: ${otherModeDetail(id, parsed.mode, scope)}`, { param: 'id' });
  }
  if (parsed?.prefix !== kind.prefix) throw notFound(kind.noun, id);
}

export function notFound(noun: string, id: string): ApiError {
  return new ApiError('resource.not_found', `No ${noun} ${id} exists in this mode for this team.`, { param: 'id' });
}

/**
 * A reference in a body field or header: other mode → 400 `validation.client_mode_mismatch`,
 * wrong type or absent for this team → 400 `validation.reference_not_found`, each naming `param`.
 * The same answer whether the ID exists for another team or not at all.
 */
export async function assertReference(ctx: TenantContext, param: string, id: string | null | undefined, kind: ReferenceKind): Promise<void> {
  if (id === null || id === undefined) return;
  const parsed = parseId(id);
  if (parsed?.prefix === kind.prefix && parsed.mode !== ctx.scope.mode) {
    throw new ApiError('validation.client_mode_mismatch', `\`${param}\` references another mode: ${otherModeDetail(id, parsed.mode, ctx.scope)}`, { param });
  }
  if (parsed?.prefix !== kind.prefix) {
    throw new ApiError('validation.reference_not_found', `\`${param}\` must be a ${kind.noun} ID (\`${kind.prefix}_${ctx.scope.mode}_…\`); got ${JSON.stringify(id.slice(0, 64))}.`, { param });
  }
  if (!(await kind.exists(ctx, id))) {
    throw new ApiError('validation.reference_not_found', `\`${param}\` references ${id}, but no such ${kind.noun} exists in this mode for this team.`, { param });
  }
}

/** Runs a delete; a foreign-key refusal from the database becomes 409 `resource.in_use`. */
export async function deleteUnlessReferenced<T>(run: () => Promise<T>, detail: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (sqlState(err) === '23503') throw new ApiError('resource.in_use', detail, { param: 'id' });
    throw err;
  }
}
