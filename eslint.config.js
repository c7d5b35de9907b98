// ESLint 9 flat config: typescript-eslint with type information, import rules, Prettier for formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
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

// `@slipway/activities` has one floor of step modules (`src/steps/`, one per step contract) over library folders
// (data, expectations, stats, train, registry, artifacts, audit, sources, directory, model-server, monitor, util,
// and any folder added later). Library code never imports a step module, `create-activities.ts` or the package
// root: steps are built from the libraries, never the other way round.
const ACTIVITIES_SRC = 'packages/activities/src';
const LIBRARY_IMPORTS_NO_STEP = {
  basePath: import.meta.dirname,
  zones: [
    {
      target: `${ACTIVITIES_SRC}/!(steps)/**`,
      from: [`${ACTIVITIES_SRC}/steps`, `${ACTIVITIES_SRC}/create-activities.ts`, `${ACTIVITIES_SRC}/index.ts`],
      message:
        'Library folders of @slipway/activities never import a step module (src/steps/), create-activities.ts or the ' +
        'package root: move the shared code into a library folder and import it from the step.',
    },
  ],
};

export default tseslint.config(
  // `packages/sdk/wasm/` is AssemblyScript, compiled by its own compiler (`scripts/build-ed25519-wasm.mjs`).
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.slipway/**', 'coverage/**', 'bench/out/**', 'packages/sdk/wasm/**'],
  },
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
    settings: {
      // Resolve the `.js` specifiers of TypeScript sources to their `.ts` files, so the import rules see them.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] },
        }),
      ],
      // The AssemblyScript compiler (a build tool) is one 14 MB file the parser cannot walk: not parsed for imports.
      'import-x/ignore': ['node_modules/(assemblyscript|binaryen)/'],
    },
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
    files: [`${ACTIVITIES_SRC}/**/*.ts`],
    rules: { 'import-x/no-restricted-paths': ['error', LIBRARY_IMPORTS_NO_STEP] },
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
