import { count, eq, sql } from 'drizzle-orm';
import { teams } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { newGlobalId } from '../../ids.ts';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import type { LimitOverrides } from '../../plans.ts';

export type TeamRow = typeof teams.$inferSelect;

export type NewTeam = { name: string; slug: string; plan: string; credits: number } & Partial<LimitOverrides>;

/** Teams belong to no mode: they are operator-managed, through the admin API only. */
export async function insertTeam(db: Database, input: NewTeam): Promise<TeamRow | null> {
  const [row] = await db
    .insert(teams)
    .values({ id: newGlobalId('team'), ...input })
    .onConflictDoNothing({ target: teams.slug })
    .returning();
  return row ?? null;
}

export async function findTeam(db: Database, id: string): Promise<TeamRow | null> {
  const [row] = await db.select().from(teams).where(eq(teams.id, id));
  return row ?? null;
}

export async function listTeams(db: Database, page: { limit: number; after?: CursorPosition }): Promise<TeamRow[]> {
  return db
    .select()
    .from(teams)
    .where(afterCursor(teams.createdAt, teams.id, page.after))
    .orderBy(...newestFirst(teams.createdAt, teams.id))
    .limit(pageLimit(page.limit + 1));
}

export async function updateTeam(db: Database, id: string, patch: Partial<Omit<NewTeam, 'credits'>>): Promise<TeamRow | null> {
  const [row] = await db
    .update(teams)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(teams.id, id))
    .returning();
  return row ?? null;
}

/** The largest live balance a team may hold (the column is a 32-bit integer). */
export const MAX_CREDITS = 2_147_483_647;

/**
 * Adds to the live balance in one statement, so concurrent grants never lose an update. Answers
 * the team, or 'overflow' when the balance would pass MAX_CREDITS (nothing changes), or null.
 */
export async function addCredits(db: Database, id: string, amount: number): Promise<TeamRow | 'overflow' | null> {
  const [row] = await db
    .update(teams)
    .set({ credits: sql`${teams.credits} + ${amount}`, updatedAt: sql`now()` })
    .where(sql`${teams.id} = ${id} and ${teams.credits}::bigint + ${amount} <= ${MAX_CREDITS}`)
    .returning();
  if (row) return row;
  return (await findTeam(db, id)) ? 'overflow' : null;
}

export async function countTeams(db: Database): Promise<number> {
  const [row] = await db.select({ n: count() }).from(teams);
  return row?.n ?? 0;
}

/** Takes one live credit if the balance allows; false when it is zero. */
export async function reserveCredit(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .update(teams)
    .set({ credits: sql`${teams.credits} - 1` })
    .where(sql`${teams.id} = ${id} and ${teams.credits} > 0`)
    .returning({ id: teams.id });
  return rows.length > 0;
}

export async function refundCredit(db: Database, id: string): Promise<void> {
  await db
    .update(teams)
    .set({ credits: sql`${teams.credits} + 1` })
    .where(eq(teams.id, id));
}
