import { createHash } from 'node:crypto';
import { randomBase62, type Mode } from '../ids.ts';

export const SCOPES = [
  'invoice:read',
  'invoice:write',
  'contact:read',
  'contact:write',
  'client:read',
  'client:write',
  'webhook:manage',
  'event:read',
  'audit:read',
  'test_mode:reset',
] as const;
export type Scope = (typeof SCOPES)[number];

export const KEY_SECRET_LENGTH = 48;
export const KEY_DISPLAY_PREFIX_LENGTH = 16;

export function generateApiKey(mode: Mode): { secret: string; prefix: string; digest: string } {
  const secret = `parseo_${mode}_${randomBase62(KEY_SECRET_LENGTH)}`;
  return { secret, prefix: secret.slice(0, KEY_DISPLAY_PREFIX_LENGTH), digest: digestApiKey(secret) };
}

/** A 48-character random key needs no slow hash: SHA-256 is irreversible for it and costs microseconds. */
export function digestApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export type KeyShapeProblem = { reason: 'whitespace' | 'prefix' | 'length' | 'characters'; detail: string };

/** Explains exactly what is wrong with a bearer value that is not a Parseo key, or returns null. */
export function checkKeyShape(value: string): KeyShapeProblem | null {
  if (/\s/.test(value)) {
    return { reason: 'whitespace', detail: 'The key contains whitespace (often a copy-paste leftover). Send the key exactly, with no spaces, tabs or line breaks.' };
  }
  const m = /^parseo_(live|test)_/.exec(value);
  if (!m) {
    return { reason: 'prefix', detail: 'The key does not start with `parseo_live_` or `parseo_test_`.' };
  }
  const rest = value.slice(m[0].length);
  if (rest.length !== KEY_SECRET_LENGTH) {
    return { reason: 'length', detail: `A Parseo key has ${KEY_SECRET_LENGTH} characters after \`${m[0]}\`; this one has ${rest.length}.` };
  }
  if (!/^[0-9A-Za-z]+$/.test(rest)) {
    return { reason: 'characters', detail: 'A Parseo key contains only letters and digits after its prefix.' };
  }
  return null;
}
