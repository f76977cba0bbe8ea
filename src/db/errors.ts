/** The SQLSTATE of a database error, looking through drizzle's wrapper; undefined for other errors. */
export function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const isUniqueViolation = (err: unknown) => sqlState(err) === '23505';

// Driver and socket codes that mean "the database cannot be reached", as opposed to a query error.
const UNREACHABLE_CODES = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED)$/;

/**
 * Whether an error means the database is out of reach (down, restarting, network cut), looking
 * through drizzle's wrapper: SQLSTATE class 08 (connection exception) or 57P01–57P03 (shutting
 * down, cannot connect now), a socket or postgres.js connection code, or a closed PGlite.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? '');
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || UNREACHABLE_CODES.test(code)) return true;
    if (/PGlite is closed/.test(String((e as { message?: unknown }).message ?? ''))) return true;
  }
  return false;
}
