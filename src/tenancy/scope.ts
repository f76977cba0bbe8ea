import type { Mode } from '../ids.ts';

/** The (team, mode) world a request lives in, fixed by its API key. */
export type TenantScope = { readonly teamId: string; readonly mode: Mode };

/** Who did it, for the audit log. */
export type Actor = { keyId: string; keyPrefix: string; keyName: string; requestId: string; ip: string | null };
