import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError } from '../../errors/api-error.ts';
import { NoQuery, errorResponses, jsonBody, jsonContent } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { createRouter } from '../../http/router.ts';
import { randomBase62 } from '../../ids.ts';
import { DEFAULT_PLAN } from '../../plans.ts';
import { changeAuth } from '../../auth/key-cache.ts';
import { addCredits, findTeam, insertTeam, listTeams, updateTeam, type NewTeam } from './repository.ts';
import { AddCreditsSchema, CreateTeamSchema, presentTeam, TeamIdParams, TeamListQuery, TeamListSchema, TeamSchema, UpdateTeamSchema } from './schemas.ts';

const tags = ['Admin: teams'];
const security = [{ adminToken: [] }];

export const createTeamRoute = createRoute({
  operationId: 'adminCreateTeam',
  method: 'post',
  path: '/teams',
  tags,
  security,
  summary: 'Create a team',
  request: { body: jsonBody(CreateTeamSchema), query: NoQuery },
  responses: { 201: jsonContent(TeamSchema, 'The new team.'), ...errorResponses(400, 401, 409, 413, 415) },
});

export const listTeamsRoute = createRoute({
  operationId: 'adminListTeams',
  method: 'get',
  path: '/teams',
  tags,
  security,
  summary: 'List teams',
  request: { query: TeamListQuery },
  responses: { 200: jsonContent(TeamListSchema, 'Teams, newest first.'), ...errorResponses(400, 401) },
});

export const getTeamRoute = createRoute({
  operationId: 'adminGetTeam',
  method: 'get',
  path: '/teams/{id}',
  tags,
  security,
  summary: 'Retrieve a team',
  request: { params: TeamIdParams, query: NoQuery },
  responses: { 200: jsonContent(TeamSchema, 'The team.'), ...errorResponses(400, 401, 404) },
});

export const updateTeamRoute = createRoute({
  operationId: 'adminUpdateTeam',
  method: 'patch',
  path: '/teams/{id}',
  tags,
  security,
  summary: 'Update a team: name, slug, plan or limit overrides',
  request: { params: TeamIdParams, body: jsonBody(UpdateTeamSchema), query: NoQuery },
  responses: { 200: jsonContent(TeamSchema, 'The updated team.'), ...errorResponses(400, 401, 404, 409, 413, 415) },
});

export const addCreditsRoute = createRoute({
  operationId: 'adminAddCredits',
  method: 'post',
  path: '/teams/{id}/credits',
  tags,
  security,
  summary: 'Add live credits to a team',
  request: { params: TeamIdParams, body: jsonBody(AddCreditsSchema), query: NoQuery },
  responses: { 200: jsonContent(TeamSchema, 'The team with its new live balance.'), ...errorResponses(400, 401, 404, 413, 415) },
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
    return c.json(presentTeam(row), 200);
  });
}
