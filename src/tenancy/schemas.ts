import { z } from '@hono/zod-openapi';
import { MODES } from '../ids.ts';

export const ModeSchema = z.enum(MODES).openapi('Mode', { description: 'The world a key or resource lives in.' });

export const MetadataSchema = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
  .openapi('Metadata', {
    description: 'Your own string key–value pairs (≤ 50 keys, key ≤ 40 chars, value ≤ 500 chars). On update, keys merge; an empty string removes a key; `null` removes all.',
    example: { erpId: '4711' },
  });

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

export const CountrySchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in capitals, e.g. DE')
  .refine((code) => regionNames.of(code) !== code, 'not an ISO 3166-1 alpha-2 country code')
  .openapi({ example: 'DE' });

export const VatIdSchema = z
  .string()
  .regex(/^[A-Z]{2}[0-9A-Za-z+*.]{2,13}$/, 'a VAT ID: country prefix and 2–13 letters or digits, e.g. DE123456789')
  .openapi({ example: 'DE123456789' });

export const IdParams = z.strictObject({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'cl_test_5kQ2mZ7vB1nR8sT4uWy0f3kP' }) });

export const timestamps = {
  createdAt: z.iso.datetime().openapi({ example: '2026-11-22T10:00:00.000Z' }),
  updatedAt: z.iso.datetime().openapi({ example: '2026-11-22T10:00:00.000Z' }),
};

/** Applies a metadata patch: keys merge, "" removes a key, null clears everything. */
export function mergeMetadata(current: Record<string, string>, patch: Record<string, string> | null | undefined): Record<string, string> {
  if (patch === undefined) return current;
  if (patch === null) return {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** On create, empty values mean nothing. */
export const cleanMetadata = (m: Record<string, string> | undefined) => mergeMetadata({}, m ?? {});
