// Lint guards what the compiler cannot: floating promises, and the workflow sandbox.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Workflow code is replayed; it must not reach I/O or Node built-ins. The fence covers every
// file the workflow bundle holds: workflows/, the contracts and pure domain code they share, and
// the search attribute keys they set (.dependency-cruiser.cjs keeps the bundle to these files).
const sandboxFence = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: '^node:',
          message: 'Workflow and domain code runs in the deterministic sandbox: no Node built-ins.',
        },
        {
          regex:
            '^(fs|path|os|crypto|child_process|http|https|net|url|util|stream|events|worker_threads)(/.*)?$',
          message: 'Workflow and domain code runs in the deterministic sandbox: no Node built-ins.',
        },
        {
          regex:
            '^(pg|kysely(-.*)?|resend|node-quickbooks|fastify(-plugin)?|@fastify/.*|handlebars|playwright-core|@electric-sql/.*|@temporalio/(client|worker|activity|testing|envconfig))$',
          message: 'I/O belongs in activities; workflows call them through proxyActivities.',
        },
        {
          regex:
            '(^|/)(activities|db|api|services|email|documents|payments|accounting|config|runtime|infra|bin|temporal|observability)(/|$)',
          allowTypeImports: true,
          message: 'Workflows may import activity and adapter types only (import type).',
        },
      ],
    },
  ],
};

export default tseslint.config(
  // The dependency-cruiser rules are CommonJS configuration, not project code.
  { ignores: ['node_modules/**', 'data/**', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'workflow-contracts/**/*.ts', 'domain/**/*.ts'],
    rules: sandboxFence,
  },
  // End-to-end tests read untyped JSON over HTTP; their assertions are the type check.
  {
    files: [
      'test/e2e/**/*.ts',
      'test/faults/**/*.ts',
      'test/cluster/**/*.ts',
      'test/support/platform.ts',
      'test/support/fault-platform.ts',
      'bench/chaos.ts',
    ],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // Migrations are frozen in time and take Kysely<any>, never today's table types.
  {
    files: ['db/migrations/**/*.ts', 'db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  // The dashboard's browser script (served as is, beside Chart.js): plain JavaScript in a page.
  {
    files: ['api/dashboard/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly' } },
  },
);
