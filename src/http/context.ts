import type { Logger } from 'pino';
import type { Scope } from '../auth/keys.ts';
import type { Mode } from '../ids.ts';
import type { Limits } from '../plans.ts';
import type { Decision } from '../ratelimit/limiter.ts';

/** Who is calling, fixed by the API key for the whole request. */
export type AuthContext = {
  teamId: string;
  mode: Mode;
  scopes: readonly Scope[];
  key: { id: string; name: string; prefix: string };
  team: { name: string; slug: string; plan: string; limits: Limits };
};

export type AppEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
    publicBaseUrl: string;
    auth: AuthContext;
    /** This request's rate-limit decision (partner API only). */
    rateLimit: Decision;
  };
};
