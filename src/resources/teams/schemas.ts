import { z } from '@hono/zod-openapi';
import { exampleId, exampleTime, type NamedExamples } from '../../http/openapi.ts';
import { examplePage, listQueryFields, listSchema } from '../../http/pagination.ts';
import { PLAN_NAMES, effectiveLimits, plans } from '../../plans.ts';
import type { TeamRow } from './repository.ts';

const limitValue = z.number().int().min(1).max(1_000_000_000);

export const LimitsSchema = z
  .object({
    requestsPerMinute: z.number().int(),
    requestsPerHour: z.number().int(),
    maxQueueDepth: z.number().int(),
  })
  .openapi('Limits');

export const LimitOverridesSchema = z
  .strictObject({
    requestsPerMinute: limitValue.nullable().optional(),
    requestsPerHour: limitValue.nullable().optional(),
    maxQueueDepth: limitValue.nullable().optional(),
  })
  .openapi('LimitOverrides', { description: 'Per-team overrides of the plan ceilings; `null` returns a ceiling to the plan.' });

export const TeamSchema = z
  .object({
    id: z.string().openapi({ example: exampleId('team', null) }),
    object: z.literal('team'),
    name: z.string(),
    slug: z.string(),
    plan: z.enum(PLAN_NAMES),
    limits: LimitsSchema,
    credits: z.number().int().openapi({ description: 'Live credit balance.' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Team');

const slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and inner hyphens, at most 63 characters')
  .openapi({ example: 'acme' });

export const CreateTeamSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).openapi({ example: 'Acme Accounting' }),
    slug: slug.optional(),
    plan: z.enum(PLAN_NAMES).optional(),
    credits: z.number().int().min(0).max(1_000_000_000).optional(),
    limits: LimitOverridesSchema.optional(),
  })
  .openapi('CreateTeamRequest');

export const UpdateTeamSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    slug: slug.optional(),
    plan: z.enum(PLAN_NAMES).optional(),
    limits: LimitOverridesSchema.optional(),
  })
  .openapi('UpdateTeamRequest');

export const AddCreditsSchema = z
  .strictObject({
    amount: z.number().int().min(1).max(1_000_000_000).openapi({ description: 'Credits to add to the live balance.', example: 100 }),
  })
  .openapi('AddCreditsRequest');

export const TeamIdParams = z.strictObject({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: exampleId('team', null) }) });
export const TeamListQuery = z.strictObject(listQueryFields);
export const TeamListSchema = listSchema(TeamSchema, 'TeamList');

type Team = z.infer<typeof TeamSchema>;

export const teamExample: Team = {
  id: exampleId('team', null),
  object: 'team',
  name: 'Acme Accounting',
  slug: 'acme',
  plan: 'pro',
  limits: { ...plans.pro },
  credits: 250,
  createdAt: exampleTime(-1440),
  updatedAt: exampleTime(-1440),
};

export const teamListExample = examplePage<Team>('teams', null, [
  { ...teamExample, id: exampleId('team', null, 'second'), name: 'Beta Books', slug: 'beta-books', plan: 'free', limits: { ...plans.free }, credits: 0, createdAt: exampleTime(-60), updatedAt: exampleTime(-60) },
  teamExample,
]);

export const updatedTeamExample: Team = { ...teamExample, plan: 'enterprise', limits: { ...plans.enterprise }, updatedAt: exampleTime() };

export const createTeamExamples = {
  pro: { summary: 'A team on the pro plan with starting credits', value: { name: 'Acme Accounting', slug: 'acme', plan: 'pro', credits: 250 } },
  minimal: { summary: 'Only the name (the free plan, a slug from the name)', value: { name: 'Acme Accounting' } },
  overrides: { summary: 'A plan with one ceiling raised', value: { name: 'Acme Accounting', plan: 'free', limits: { maxQueueDepth: 20 } } },
} satisfies NamedExamples<z.input<typeof CreateTeamSchema>>;

export const updateTeamExamples = {
  plan: { summary: 'Move to another plan', value: { plan: 'enterprise' } },
  override: { summary: 'Raise one ceiling above the plan’s', value: { limits: { requestsPerMinute: 1200 } } },
  reset: { summary: 'Return a ceiling to the plan', value: { limits: { requestsPerMinute: null } } },
} satisfies NamedExamples<z.input<typeof UpdateTeamSchema>>;

export function presentTeam(row: TeamRow): Team {
  return {
    id: row.id,
    object: 'team',
    name: row.name,
    slug: row.slug,
    plan: row.plan as Team['plan'],
    limits: effectiveLimits(row.plan, row),
    credits: row.credits,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
