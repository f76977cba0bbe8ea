import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { ApiError } from '../../errors/api-error.ts';
import { requireAuth } from '../../http/auth.ts';
import { NoQuery, errorResponses, jsonContent } from '../../http/openapi.ts';
import { createRouter } from '../../http/router.ts';
import { PLAN_NAMES, effectiveLimits } from '../../plans.ts';
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
    keyPrefix: z.string().openapi({ example: 'parseo_test_Ab3x' }),
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

export const getMeRoute = createRoute({
  operationId: 'getMe',
  method: 'get',
  path: '/me',
  tags,
  security,
  summary: 'Identify the calling key',
  description: 'Which team, key, mode and scopes this key has. Costs nothing; call it at start-up to check the mode.',
  request: { query: NoQuery },
  responses: { 200: jsonContent(IdentitySchema, 'The key’s identity.'), ...errorResponses(400, 401) },
});

export const getCreditsRoute = createRoute({
  operationId: 'getCredits',
  method: 'get',
  path: '/me/credits',
  tags,
  security,
  summary: 'Live credit balance',
  request: { query: NoQuery },
  responses: { 200: jsonContent(CreditBalanceSchema, 'The live balance.'), ...errorResponses(400, 401) },
});

export const getQuotaRoute = createRoute({
  operationId: 'getQuota',
  method: 'get',
  path: '/me/quota',
  tags,
  security,
  summary: 'Plan ceilings, counters and credits',
  request: { query: NoQuery },
  responses: { 200: jsonContent(QuotaSchema, 'The caller’s quota.'), ...errorResponses(400, 401) },
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
