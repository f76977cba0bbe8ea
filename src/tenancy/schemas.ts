import { z } from '@hono/zod-openapi';
import { exampleTime } from '../http/openapi.ts';
import { MODES } from '../ids.ts';

export const ModeSchema = z.enum(MODES).openapi('Mode', { description: 'The world a key or resource lives in.' });

export const MetadataSchema = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
  .openapi('Metadata', {
    description: 'Your own string key–value pairs (≤ 50 keys, key ≤ 40 chars, value ≤ 500 chars). On update, keys merge; an empty string removes a key; `null` removes all.',
    example: { erpId: '4711' },
  });

/** The 249 officially assigned ISO 3166-1 alpha-2 codes (not EU, UK, XK or other reserved ones). */
const ISO_COUNTRIES = new Set(
  (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
  'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
  'EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM ' +
  'HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
  'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
  'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
  'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

export const CountrySchema = z
  .string()
  .refine((code) => ISO_COUNTRIES.has(code), 'an ISO 3166-1 alpha-2 country code in capitals, e.g. DE')
  .openapi({ example: 'DE' });

export const VatIdSchema = z
  .string()
  .regex(/^[A-Z]{2}[0-9A-Za-z+*.]{2,13}$/, 'a VAT ID: country prefix and 2–13 letters or digits, e.g. DE123456789')
  .openapi({ example: 'DE123456789' });

/** The `{id}` path parameter, with an example ID of the resource it names. */
export const idParams = (example: string) => z.strictObject({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example }) });

export const timestamps = {
  createdAt: z.iso.datetime().openapi({ example: exampleTime() }),
  updatedAt: z.iso.datetime().openapi({ example: exampleTime() }),
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
