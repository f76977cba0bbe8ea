import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError } from '../../errors/api-error.ts';
import { adminAuthErrors, errorResponses, exampleTime, jsonBody, jsonBodyErrors, jsonContent, NoQuery, notFoundOf } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { createRouter } from '../../http/router.ts';
import { randomBase62 } from '../../ids.ts';
import { DEFAULT_PLAN } from '../../plans.ts';
import { changeAuth } from '../../auth/key-cache.ts';
import { addCredits, findTeam, MAX_CREDITS, insertTeam, listTeams, updateTeam, type NewTeam } from './repository.ts';
import {
  AddCreditsSchema,
  createTeamExamples,
  CreateTeamSchema,
  presentTeam,
  teamExample,
  TeamIdParams,
  teamListExample,
  TeamListQuery,
  TeamListSchema,
  TeamSchema,
  updatedTeamExample,
  updateTeamExamples,
  UpdateTeamSchema,
} from './schemas.ts';

const tags = ['Admin: teams'];
const security = [{ adminToken: [] }];

export const createTeamRoute = createRoute({
  operationId: 'adminCreateTeam',
  method: 'post',
  path: '/teams',
  tags,
  security,
  summary: 'Create a team',
  description: 'The plan sets the ceilings unless `limits` overrides one. Without a `slug`, one is derived from the name (with a short suffix when taken).',
  request: { body: jsonBody(CreateTeamSchema, { examples: createTeamExamples }), query: NoQuery },
  responses: {
    201: jsonContent(TeamSchema, 'The new team.', { example: teamExample }),
    ...errorResponses(400, ...adminAuthErrors, ...jsonBodyErrors, 'resource.already_exists'),
  },
});

export const listTeamsRoute = createRoute({
  operationId: 'adminListTeams',
  method: 'get',
  path: '/teams',
  tags,
  security,
  summary: 'List teams',
  description: 'Every team, newest first.',
  request: { query: TeamListQuery },
  responses: { 200: jsonContent(TeamListSchema, 'Teams, newest first.', { example: teamListExample }), ...errorResponses(400, ...adminAuthErrors) },
});

export const getTeamRoute = createRoute({
  operationId: 'adminGetTeam',
  method: 'get',
  path: '/teams/{id}',
  tags,
  security,
  summary: 'Retrieve a team',
  description: 'The team with its plan, effective limits and live credit balance.',
  request: { params: TeamIdParams, query: NoQuery },
  responses: { 200: jsonContent(TeamSchema, 'The team.', { example: teamExample }), ...errorResponses(400, ...adminAuthErrors, notFoundOf('team')) },
});

export const updateTeamRoute = createRoute({
  operationId: 'adminUpdateTeam',
  method: 'patch',
  path: '/teams/{id}',
  tags,
  security,
  summary: 'Update a team: name, slug, plan or limit overrides',
  description: 'Only the fields sent change; a `null` limit returns that ceiling to the plan. Takes effect on the team’s very next request.',
  request: { params: TeamIdParams, body: jsonBody(UpdateTeamSchema, { examples: updateTeamExamples }), query: NoQuery },
  responses: {
    200: jsonContent(TeamSchema, 'The updated team.', { example: updatedTeamExample }),
    ...errorResponses(400, ...adminAuthErrors, notFoundOf('team'), ...jsonBodyErrors, 'resource.already_exists'),
  },
});

export const addCreditsRoute = createRoute({
  operationId: 'adminAddCredits',
  method: 'post',
  path: '/teams/{id}/credits',
  tags,
  security,
  summary: 'Add live credits to a team',
  description: 'Each live upload costs one credit (refunded if its job fails). Test mode never uses credits.',
  request: { params: TeamIdParams, body: jsonBody(AddCreditsSchema, { example: { amount: 100 } }), query: NoQuery },
  responses: {
    200: jsonContent(TeamSchema, 'The team with its new live balance.', { example: { ...teamExample, credits: teamExample.credits + 100, updatedAt: exampleTime() } }),
    ...errorResponses(400, ...adminAuthErrors, notFoundOf('team'), ...jsonBodyErrors),
  },
});

const teamNotFound = (id: string) => new ApiError('resource.not_found', `No team ${id} exists.`, { param: 'id' });
const slugTaken = (slug: string) => new ApiError('resource.already_exists', `The slug \`${slug}\` is taken by another team.`, { param: 'slug' });

function slugFrom(name: string): string {
  const base = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 50)
    .replace(/^-+|-+$/g, '');
  return base || 'team';
}

export function registerTeamRoutes(app: ReturnType<typeof createRouter>, db: Database) {
  app.openapi(createTeamRoute, async (c) => {
    const body = c.req.valid('json');
    const team: Omit<NewTeam, 'slug'> = { name: body.name, plan: body.plan ?? DEFAULT_PLAN, credits: body.credits ?? 0, ...body.limits };
    let row = await insertTeam(db, { ...team, slug: body.slug ?? slugFrom(body.name) });
    if (!row && body.slug) throw slugTaken(body.slug);
    // A slug derived from the name takes a short suffix when the plain one is taken.
    for (let i = 0; !row && i < 5; i++) row = await insertTeam(db, { ...team, slug: `${slugFrom(body.name)}-${randomBase62(6).toLowerCase()}` });
    if (!row) throw slugTaken(slugFrom(body.name));
    return c.json(presentTeam(row), 201);
  });

  app.openapi(listTeamsRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const rows = await listTeams(db, { limit, after: cursor ? decodeCursor(cursor, 'teams', null) : undefined });
    return c.json(toPage(rows, limit, 'teams', null, presentTeam), 200);
  });

  app.openapi(getTeamRoute, async (c) => {
    const { id } = c.req.valid('param');
    const row = await findTeam(db, id);
    if (!row) throw teamNotFound(id);
    return c.json(presentTeam(row), 200);
  });

  app.openapi(updateTeamRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limits, ...patch } = c.req.valid('json');
    let row;
    try {
      // A team's name and limits ride along with its cached keys: every instance drops them first.
      row = await changeAuth(db, c.get('logger'), (tx) => updateTeam(tx, id, { ...patch, ...limits }));
    } catch (err) {
      if (patch.slug && isUniqueViolation(err)) throw slugTaken(patch.slug);
      throw err;
    }
    if (!row) throw teamNotFound(id);
    return c.json(presentTeam(row), 200);
  });

  app.openapi(addCreditsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const row = await addCredits(db, id, c.req.valid('json').amount);
    if (!row) throw teamNotFound(id);
    if (row === 'overflow') {
      throw new ApiError('validation.invalid_request', `The balance would pass ${MAX_CREDITS} credits, the most a team may hold.`, {
        param: 'amount',
        errors: [{ param: 'amount', code: 'too_big', message: `The balance may not pass ${MAX_CREDITS}.` }],
      });
    }
    return c.json(presentTeam(row), 200);
  });
}
