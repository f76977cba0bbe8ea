import { ApiError } from '../../errors/api-error.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { recordAudit, recordEvent } from '../../tenancy/changes.ts';
import { inTransaction, type TenantContext } from '../../tenancy/context.ts';
import { assertPathId, notFound } from '../../tenancy/references.ts';
import { cleanMetadata, mergeMetadata } from '../../tenancy/schemas.ts';
import { newId } from '../../ids.ts';
import { generateSigningSecret, type SecretBox } from '../../webhooks/secrets.ts';
import { webhookTargetProblem, type HostResolver } from '../../webhooks/ssrf.ts';
import { presentEvent } from '../events/schemas.ts';
import {
  deleteEndpoint,
  findDelivery,
  findEndpoint,
  insertEndpoint,
  listDeliveries,
  listEndpoints,
  requeueDelivery,
  updateEndpoint,
  type EndpointRow,
} from './repository.ts';
import { presentDelivery, presentEndpoint } from './schemas.ts';

export const endpointKind = { prefix: 'we', noun: 'webhook endpoint' };
export const deliveryKind = { prefix: 'del', noun: 'webhook delivery' };

export type WebhookDeps = { box: SecretBox; allowPrivateTargets: boolean; resolve?: HostResolver };

type CreateInput = { url: string; events: string[]; description?: string | null; metadata?: Record<string, string> };
type UpdateInput = { url?: string; events?: string[]; description?: string | null; status?: 'enabled' | 'disabled'; metadata?: Record<string, string> | null };

/** Refuses a target the SSRF guard would refuse (checked again at every delivery, after DNS). */
async function assertTarget(url: string, deps: WebhookDeps): Promise<void> {
  const problem = await webhookTargetProblem(url, deps.allowPrivateTargets, deps.resolve);
  if (problem) {
    throw new ApiError('validation.invalid_request', `The webhook URL ${problem}.${deps.allowPrivateTargets ? '' : ' Loopback, private and link-local targets are refused unless the operator allows them.'}`, {
      param: 'url',
      errors: [{ param: 'url', code: 'invalid_url', message: `The URL ${problem}.` }],
    });
  }
}

export async function createEndpoint(ctx: TenantContext, deps: WebhookDeps, input: CreateInput) {
  await assertTarget(input.url, deps);
  return inTransaction(ctx, async (tx) => {
    const id = newId('we', tx.scope.mode);
    const secret = generateSigningSecret();
    const row = await insertEndpoint(tx.db, tx.scope, id, {
      url: input.url,
      events: input.events,
      description: input.description ?? null,
      secretCiphertext: deps.box.seal(secret, id),
      metadata: cleanMetadata(input.metadata),
    });
    await recordAudit(tx, 'webhook_endpoint.created', 'webhook_endpoint', row.id);
    return { ...presentEndpoint(row), secret };
  });
}

async function requireEndpoint(ctx: TenantContext, id: string, options: { forUpdate?: boolean } = {}): Promise<EndpointRow> {
  assertPathId(ctx.scope, id, endpointKind);
  const row = await findEndpoint(ctx.db, ctx.scope, id, options);
  if (!row) throw notFound('webhook endpoint', id);
  return row;
}

export async function getEndpoint(ctx: TenantContext, id: string) {
  return presentEndpoint(await requireEndpoint(ctx, id));
}

export function listEndpointPage(ctx: TenantContext, page: { limit: number; after?: CursorPosition }) {
  return listEndpoints(ctx.db, ctx.scope, page);
}

export async function updateEndpointFields(ctx: TenantContext, deps: WebhookDeps, id: string, input: UpdateInput) {
  assertPathId(ctx.scope, id, endpointKind);
  if (input.url !== undefined) await assertTarget(input.url, deps);
  return inTransaction(ctx, async (tx) => {
    const current = await requireEndpoint(tx, id, { forUpdate: true });
    const { metadata, status, ...rest } = input;
    const reenabled = status === 'enabled' && current.status === 'disabled';
    const row = await updateEndpoint(tx.db, tx.scope, id, {
      ...rest,
      ...(status && { status }),
      ...(reenabled && { disabledReason: null, failingSince: null }),
      ...(status === 'disabled' && current.status === 'enabled' && { disabledReason: 'Disabled through the API.' }),
      metadata: mergeMetadata(current.metadata, metadata),
    });
    await recordAudit(tx, 'webhook_endpoint.updated', 'webhook_endpoint', id);
    return presentEndpoint(row!);
  });
}

export function removeEndpoint(ctx: TenantContext, id: string) {
  assertPathId(ctx.scope, id, endpointKind);
  return inTransaction(ctx, async (tx) => {
    const row = await deleteEndpoint(tx.db, tx.scope, id);
    if (!row) throw notFound('webhook endpoint', id);
    await recordAudit(tx, 'webhook_endpoint.deleted', 'webhook_endpoint', id);
    return { id, object: 'webhook_endpoint' as const, mode: row.mode, deleted: true as const };
  });
}

/** A new secret takes effect at once: every later attempt, retries included, is signed with it. */
export function rotateSecret(ctx: TenantContext, deps: WebhookDeps, id: string) {
  assertPathId(ctx.scope, id, endpointKind);
  return inTransaction(ctx, async (tx) => {
    await requireEndpoint(tx, id, { forUpdate: true });
    const secret = generateSigningSecret();
    const row = await updateEndpoint(tx.db, tx.scope, id, { secretCiphertext: deps.box.seal(secret, id) });
    await recordAudit(tx, 'webhook_endpoint.secret_rotated', 'webhook_endpoint', id);
    return { ...presentEndpoint(row!), secret };
  });
}

/** Sends a `webhook.ping` event to this endpoint only. */
export function pingEndpoint(ctx: TenantContext, id: string) {
  assertPathId(ctx.scope, id, endpointKind);
  return inTransaction(ctx, async (tx) => {
    const endpoint = await requireEndpoint(tx, id);
    const event = await recordEvent(tx.db, tx.scope, 'webhook.ping', presentEndpoint(endpoint), endpoint.id);
    await recordAudit(tx, 'webhook_endpoint.pinged', 'webhook_endpoint', id);
    return presentEvent(event);
  });
}

export async function listDeliveryPage(ctx: TenantContext, endpointId: string, page: { limit: number; after?: CursorPosition }) {
  await requireEndpoint(ctx, endpointId);
  return listDeliveries(ctx.db, ctx.scope, endpointId, page);
}

export async function getDelivery(ctx: TenantContext, endpointId: string, deliveryId: string) {
  assertPathId(ctx.scope, endpointId, endpointKind);
  assertPathId(ctx.scope, deliveryId, deliveryKind);
  const row = await findDelivery(ctx.db, ctx.scope, endpointId, deliveryId);
  if (!row) throw notFound('webhook delivery', deliveryId);
  return presentDelivery(row);
}

/**
 * Sends the same event again, with the same `webhook-id`, in a new round of attempts. A disabled
 * endpoint gets no deliveries, so it must be re-enabled first (a ping still reaches it).
 */
export function redeliver(ctx: TenantContext, endpointId: string, deliveryId: string) {
  assertPathId(ctx.scope, endpointId, endpointKind);
  assertPathId(ctx.scope, deliveryId, deliveryKind);
  return inTransaction(ctx, async (tx) => {
    const endpoint = await findEndpoint(tx.db, tx.scope, endpointId);
    if (!endpoint || !(await findDelivery(tx.db, tx.scope, endpointId, deliveryId))) throw notFound('webhook delivery', deliveryId);
    if (endpoint.status === 'disabled') {
      throw new ApiError('validation.invalid_request', `The webhook endpoint ${endpointId} is disabled, so nothing is delivered to it. Re-enable it with PATCH {"status":"enabled"}, then redeliver.`, {
        param: 'id',
      });
    }
    const row = await requeueDelivery(tx.db, tx.scope, endpointId, deliveryId);
    await recordAudit(tx, 'webhook_delivery.redelivered', 'webhook_delivery', deliveryId);
    return presentDelivery(row!);
  });
}
