// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'migrations/', 'openapi/', '.data/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Only repositories (and the database plumbing) touch tables and SQL: routes, services and
    // middleware go through a repository, which puts the (team, mode) scope into every statement.
    files: ['src/**/*.ts'],
    ignores: ['src/**/repository.ts', 'src/db/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/drizzle/*', '**/drizzle/**'], message: 'Tables are reached through a repository.ts only.', allowTypeImports: true },
            { group: ['drizzle-orm', 'drizzle-orm/*'], message: 'SQL lives in repository.ts files only.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Scripts and the entry point talk to a person on a terminal.
    files: ['scripts/**', 'bench/**', 'clients/**', 'examples/**', 'src/server.ts', 'src/worker.ts'],
    rules: { 'no-console': 'off' },
  },
);
