import type { Tenant } from '../lib/api.ts';
import type { BenchDatabase } from '../lib/database.ts';
import type { Child } from '../lib/process.ts';

export type ScenarioContext = {
  db: BenchDatabase;
  /** Our server, running on `db`. */
  ours: Child;
  /** Starts another server of ours on `db` (or on `DATABASE_URL` in `env`), stopped at the end. */
  startOurs: (env?: Record<string, string>) => Promise<Child>;
  /** Another fresh, migrated database on the same server, dropped at the end. */
  newDatabase: () => Promise<BenchDatabase>;
  tenant: Tenant;
  runs: number;
  seconds: number;
  log: (line: string) => void;
};

export type Figures = Record<string, number | number[] | string | boolean>;
export type Scenario = (ctx: ScenarioContext) => Promise<Figures>;
