/** Plans and their ceilings. Live and test traffic each get their own counters under these. */
export const plans = {
  free: { requestsPerMinute: 60, requestsPerHour: 1_000, maxQueueDepth: 5 },
  pro: { requestsPerMinute: 600, requestsPerHour: 20_000, maxQueueDepth: 50 },
  enterprise: { requestsPerMinute: 3_000, requestsPerHour: 150_000, maxQueueDepth: 250 },
} as const;

export type PlanName = keyof typeof plans;
export const PLAN_NAMES = Object.keys(plans) as [PlanName, ...PlanName[]];
export const DEFAULT_PLAN: PlanName = 'free';

export type Limits = { requestsPerMinute: number; requestsPerHour: number; maxQueueDepth: number };
export type LimitOverrides = { [K in keyof Limits]: number | null };

/** A team's effective ceilings: the plan's, with any per-team override on top. */
export function effectiveLimits(plan: string, overrides: LimitOverrides): Limits {
  const base: Limits = plans[plan as PlanName] ?? plans[DEFAULT_PLAN];
  return {
    requestsPerMinute: overrides.requestsPerMinute ?? base.requestsPerMinute,
    requestsPerHour: overrides.requestsPerHour ?? base.requestsPerHour,
    maxQueueDepth: overrides.maxQueueDepth ?? base.maxQueueDepth,
  };
}
