import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { ApiError } from '../../errors/api-error.ts';
import { requireAuth } from '../../http/auth.ts';
import { NoQuery, errorResponses, exampleId, exampleKeyPrefix, exampleTime, jsonContent } from '../../http/openapi.ts';
import { createRouter } from '../../http/router.ts';
import { PLAN_NAMES, effectiveLimits, plans } from '../../plans.ts';
import { SCOPES } from '../../auth/keys.ts';
import { ModeSchema, ScopeSchema } from '../api-keys/schemas.ts';
import { findTeam } from '../teams/repository.ts';
import { jobsInFlight } from '../jobs/service.ts';
import { tenantContext } from '../../tenancy/context.ts';

const tags = ['Identity'];
const security = [{ bearerAuth: [] }];

export const IdentitySchema = z
  .object({
    object: z.literal('api_key_identity'),
    keyId: z.string(),
    keyName: z.string(),
    keyPrefix: z.string().openapi({ example: exampleKeyPrefix }),
    mode: ModeSchema,
    scopes: z.array(ScopeSchema),
    teamId: z.string(),
    teamName: z.string(),
    teamSlug: z.string(),
  })
  .openapi('ApiKeyIdentity');

export const CreditBalanceSchema = z
  .object({
    object: z.literal('credit_balance'),
    credits: z.number().int().openapi({ description: 'The live balance, whatever the key’s mode: test mode costs nothing.' }),
    mode: ModeSchema,
  })
  .openapi('CreditBalance');

const windowSchema = z.object({
  limit: z.number().int().openapi({ description: 'The plan’s ceiling for this window (each mode has its own counters under it).' }),
  remaining: z.number().int().openapi({ description: 'Requests left in this window for the caller’s mode, after this request.' }),
  resetsAt: z.iso.datetime().openapi({ description: 'When this window’s counter starts again from zero.' }),
});

export const QuotaSchema = z
  .object({
    object: z.literal('quota'),
    mode: ModeSchema,
    plan: z.enum(PLAN_NAMES),
    credits: z.number().int().openapi({ description: 'The live balance, in both modes.' }),
    rateLimits: z.object({ minute: windowSchema, hour: windowSchema }),
    queueDepth: z.object({
      limit: z.number().int().openapi({ description: 'Uploads that may be processing at once in the caller’s mode.' }),
      inFlight: z.number().int().openapi({ description: 'Uploads of the caller’s mode processing now.' }),
    }),
  })
  .openapi('Quota');

const identityExample: z.infer<typeof IdentitySchema> = {
  object: 'api_key_identity',
  keyId: exampleId('key', null),
  keyName: 'CI',
  keyPrefix: exampleKeyPrefix,
  mode: 'test',
  scopes: [...SCOPES],
  teamId: exampleId('team', null),
  teamName: 'Acme Accounting',
  teamSlug: 'acme',
};

const proPlan = plans.pro;
const quotaExample: z.infer<typeof QuotaSchema> = {
  object: 'quota',
  mode: 'test',
  plan: 'pro',
  credits: 250,
  rateLimits: {
    minute: { limit: proPlan.requestsPerMinute, remaining: proPlan.requestsPerMinute - 42, resetsAt: exampleTime(1) },
    hour: { limit: proPlan.requestsPerHour, remaining: proPlan.requestsPerHour - 1310, resetsAt: exampleTime(30) },
  },
  queueDepth: { limit: proPlan.maxQueueDepth, inFlight: 3 },
};

export const getMeRoute = createRoute({
  operationId: 'getMe',
  method: 'get',
  path: '/me',
  tags,
  security,
  summary: 'Identify the calling key',
  description: 'Which team, key, mode and scopes this key has. Costs nothing; call it at start-up to check the mode.',
  request: { query: NoQuery },
  responses: { 200: jsonContent(IdentitySchema, 'The key’s identity.', { example: identityExample }), ...errorResponses(400, 401) },
});

export const getCreditsRoute = createRoute({
  operationId: 'getCredits',
  method: 'get',
  path: '/me/credits',
  tags,
  security,
  summary: 'Live credit balance',
  description: 'The team’s live balance, whatever the key’s mode: a live upload costs one credit, test mode is free.',
  request: { query: NoQuery },
  responses: {
    200: jsonContent(CreditBalanceSchema, 'The live balance.', { example: { object: 'credit_balance', credits: quotaExample.credits, mode: 'test' } }),
    ...errorResponses(400, 401),
  },
});

export const getQuotaRoute = createRoute({
  operationId: 'getQuota',
  method: 'get',
  path: '/me/quota',
  tags,
  security,
  summary: 'Plan ceilings, counters and credits',
  description:
    'The plan’s ceilings with the caller’s mode’s counters under them (as this very request left them: the same figures as its `RateLimit` header), the queue depth, and the live credit balance.',
  request: { query: NoQuery },
  responses: { 200: jsonContent(QuotaSchema, 'The caller’s quota.', { example: quotaExample }), ...errorResponses(400, 401) },
});

async function callerTeam(db: Database, teamId: string) {
  const team = await findTeam(db, teamId);
  // The key was just found with its team; a missing team means it was removed mid-request.
  if (!team) throw new ApiError('auth.unknown_key', 'The key’s team no longer exists.');
  return team;
}

export function registerMeRoutes(app: ReturnType<typeof createRouter>, db: Database) {
  app.openapi(getMeRoute, (c) => {
    const auth = requireAuth(c);
    return c.json(
      {
        object: 'api_key_identity' as const,
        keyId: auth.key.id,
        keyName: auth.key.name,
        keyPrefix: auth.key.prefix,
        mode: auth.mode,
        scopes: [...auth.scopes],
        teamId: auth.teamId,
        teamName: auth.team.name,
        teamSlug: auth.team.slug,
      },
      200,
    );
  });

  app.openapi(getCreditsRoute, async (c) => {
    const auth = requireAuth(c);
    const team = await callerTeam(db, auth.teamId);
    return c.json({ object: 'credit_balance' as const, credits: team.credits, mode: auth.mode }, 200);
  });

  app.openapi(getQuotaRoute, async (c) => {
    const auth = requireAuth(c);
    const team = await callerTeam(db, auth.teamId);
    const limits = effectiveLimits(team.plan, team);
    // The counters as this very request left them: the same figures as its RateLimit header.
    const { minute, hour } = c.get('rateLimit');
    const window = (w: typeof minute) => ({ limit: w.limit, remaining: w.remaining, resetsAt: w.resetsAt.toISOString() });
    return c.json(
      {
        object: 'quota' as const,
        mode: auth.mode,
        plan: team.plan as (typeof PLAN_NAMES)[number],
        credits: team.credits,
        rateLimits: { minute: window(minute), hour: window(hour) },
        queueDepth: { limit: limits.maxQueueDepth, inFlight: await jobsInFlight(tenantContext(c, db)) },
      },
      200,
    );
  });
}
