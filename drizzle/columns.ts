import { pgEnum, timestamp } from 'drizzle-orm/pg-core';

export const modeEnum = pgEnum('mode', ['live', 'test']);

/** Millisecond precision, so a timestamp survives the round trip through a JS Date and a cursor. */
export const timestampMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });
