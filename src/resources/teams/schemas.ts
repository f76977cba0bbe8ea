import { z } from '@hono/zod-openapi';
import { listQueryFields, listSchema } from '../../http/pagination.ts';
import { PLAN_NAMES, effectiveLimits } from '../../plans.ts';
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
    id: z.string().openapi({ example: 'team_0f3kP9xQ2mZ7vB1nR8sT4uWy' }),
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

export const TeamIdParams = z.strictObject({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' } }) });
export const TeamListQuery = z.strictObject(listQueryFields);
export const TeamListSchema = listSchema(TeamSchema, 'TeamList');

export function presentTeam(row: TeamRow): z.infer<typeof TeamSchema> {
  return {
    id: row.id,
    object: 'team',
    name: row.name,
    slug: row.slug,
    plan: row.plan as z.infer<typeof TeamSchema>['plan'],
    limits: effectiveLimits(row.plan, row),
    credits: row.credits,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
