export * from './columns.ts';
export * from './teams.ts';
export * from './api-keys.ts';
