export * from './columns.ts';
export * from './teams.ts';
export * from './api-keys.ts';
export * from './clients.ts';
export * from './contacts.ts';
export * from './audit-logs.ts';
export * from './events.ts';
export * from './idempotency-keys.ts';
