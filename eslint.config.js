// ESLint 9 flat config: typescript-eslint with type information, import rules, Prettier for formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS_IN_WORKFLOWS = {
  patterns: [
    { group: ['node:*'], message: 'Workflow code runs in a deterministic sandbox: no Node built-ins.' },
    {
      group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'],
      message: 'Workflow code may import only @temporalio/workflow and @temporalio/common.',
    },
    {
      group: [
        '@slipway/activities',
        '@slipway/worker',
        '@slipway/sdk/client',
        '**/client/**',
        '**/activities',
        '**/activities.js',
      ],
      message: 'Workflow code may not import activities or the client (use `import type`).',
      allowTypeImports: true,
    },
  ],
  paths: ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'worker_threads'].map(
    (name) => ({
      name,
      message: 'Workflow code runs in a deterministic sandbox: no Node built-ins.',
    }),
  ),
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.slipway/**', 'coverage/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'vitest.config.ts', 'examples/churn/scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'import-x/no-default-export': 'error',
    },
  },
  {
    files: ['packages/sdk/src/workflow/**/*.ts', 'examples/*/src/workflows.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', NODE_BUILTINS_IN_WORKFLOWS] },
  },
  {
    files: ['**/*.config.{js,ts}', 'eslint.config.js', 'vitest.config.ts'],
    rules: { 'import-x/no-default-export': 'off' },
  },
  {
    // Matchers such as expect.any() are typed `any`.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
