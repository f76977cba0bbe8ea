import { randomBytes } from 'node:crypto';

export const MODES = ['live', 'test'] as const;
export type Mode = (typeof MODES)[number];

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// Random bytes are drawn from the CSPRNG in blocks: one call per request ID would cost a call into
// the OS's generator per request for 48 bytes.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

function nextRandomByte(): number {
  if (offset >= pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  return pool[offset++]!;
}

/** Uniform base62 from a CSPRNG (rejection sampling: bytes ≥ 248 are dropped to avoid bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = nextRandomByte();
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

/** Type prefixes of mode-scoped resources (SPEC §2). */
export const resourcePrefixes = {
  client: 'cl',
  contact: 'ct',
  invoice: 'inv',
  job: 'job',
  webhookEndpoint: 'we',
  event: 'evt',
  webhookDelivery: 'del',
  auditLog: 'al',
} as const;
export type ResourcePrefix = (typeof resourcePrefixes)[keyof typeof resourcePrefixes];

/** `<prefix>_<mode>_<24 base62>`: the ID says what it is and which world it lives in. */
export function newId(prefix: ResourcePrefix, mode: Mode): string {
  return `${prefix}_${mode}_${randomBase62(24)}`;
}

/** Team and key IDs belong to no mode. */
export function newGlobalId(prefix: 'team' | 'key'): string {
  return `${prefix}_${randomBase62(24)}`;
}

const scopedIdPattern = /^([a-z]+)_(live|test)_([0-9A-Za-z]{24})$/;

/** Reads type and mode from an ID without a lookup; null for anything not shaped like one of ours. */
export function parseId(id: string): { prefix: string; mode: Mode } | null {
  const m = scopedIdPattern.exec(id);
  return m ? { prefix: m[1]!, mode: m[2] as Mode } : null;
}
