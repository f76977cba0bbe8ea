import { runAsSystem } from '../../db/db-scope.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { FileStore } from '../../storage/file-store.ts';
import { removeUnreferencedFiles } from '../../storage/sweep.ts';
import { recordAudit } from '../../tenancy/changes.ts';
import { inTransaction, type TenantContext } from '../../tenancy/context.ts';
import { deleteScopeData, type ResetCounts } from './repository.ts';

export type ResetResult = { counts: ResetCounts & { files: number }; resetAt: Date };

/**
 * Deletes every piece of the team's test-mode data in one transaction, writes the reset to the
 * test audit stream in that same transaction, then removes the stored files nothing refers to any
 * more. Live data is never in reach: every statement is scoped to (team, 'test').
 */
export async function resetTestMode(ctx: TenantContext, files: FileStore, keepIdempotencyKey: string | undefined): Promise<ResetResult> {
  if (ctx.scope.mode !== 'test') {
    throw new ApiError('mode.test_key_required', 'Only test-mode data can be reset, and only with a parseo_test_… key. Live data is never reset.');
  }
  const { counts, fileDigests } = await inTransaction(ctx, async (tx) => {
    const deleted = await deleteScopeData(tx.db, tx.scope, keepIdempotencyKey);
    await recordAudit(tx, 'test_mode.reset', 'team', tx.scope.teamId);
    return deleted;
  });
  // Files are shared by content across teams and modes: whether another job still needs one is a
  // question about every tenant, asked in the system scope.
  const removedFiles = await runAsSystem(() => removeUnreferencedFiles(ctx.db, files, fileDigests));
  return { counts: { ...counts, files: removedFiles }, resetAt: new Date() };
}
