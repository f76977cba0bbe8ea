import { ApiError } from '../errors/api-error.ts';

/**
 * The path of the first string in `value` that PostgreSQL cannot store as text — a NUL character,
 * or an unpaired UTF-16 surrogate (invalid Unicode) — or undefined when there is none.
 */
export function unstorableText(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') || !value.isWellFormed() ? path.join('.') || '(root)' : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = unstorableText(item, [...path, String(i)]);
      if (found !== undefined) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = unstorableText(key, [...path, key]) ?? unstorableText(item, [...path, key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Refuses input holding text PostgreSQL cannot store, naming where, before anything is written. */
export function assertStorableText(value: unknown, where: string, prefix?: string): void {
  const found = unstorableText(value, prefix ? [prefix] : []);
  if (found === undefined) return;
  const message = 'Text may not contain NUL characters or unpaired surrogates (invalid Unicode).';
  throw new ApiError('validation.invalid_request', `The request ${where} is invalid: ${found}.`, { param: found, errors: [{ param: found, code: 'invalid_string', message }] });
}
