/**
 * Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no activity modules, no client.
 * Temporal's bundler refuses disallowed modules, so bundling every workflow entry proves it; the module list
 * of each bundle is also checked by name, and a control shows the check fails when it should.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const entries = {
  'Slipway pipelines (@slipway/sdk/pipelines)': fileURLToPath(import.meta.resolve('@slipway/sdk/pipelines')),
  'workflow building blocks (@slipway/sdk/workflow)': fileURLToPath(import.meta.resolve('@slipway/sdk/workflow')),
  'the churn example': join(root, 'examples', 'churn', 'dist', 'workflows.js'),
};
// npm workspaces link @slipway/* packages, so webpack names them by their real paths (packages/<name>/dist/...).
const FORBIDDEN = [
  'packages/activities/',
  'packages/worker/',
  'packages/sdk/dist/client/',
  '@temporalio/client',
  '@temporalio/activity',
  'libsql',
  'node:',
];
const REFUSED = /disallowed|Webpack finished with errors/i;
const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The module paths webpack put in a bundle (from its `/***\/ "path"` module headers). */
function bundledModules(code: string): string[] {
  return [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1] as string);
}

describe('workflow bundles', () => {
  for (const [name, workflowsPath] of Object.entries(entries)) {
    it(`${name} bundles with no Node built-in, activity module or client`, async () => {
      const { code } = await bundleWorkflowCode({ workflowsPath, logger: silent });
      const modules = bundledModules(code);
      expect(modules.length).toBeGreaterThan(10);
      expect(modules.some((m) => m.includes('packages/sdk/dist/workflow/'))).toBe(true);
      for (const forbidden of FORBIDDEN)
        expect(
          modules.filter((m) => m.includes(forbidden)),
          forbidden,
        ).toEqual([]);
    });
  }

  it('refuses workflow files that import a Node built-in or an activity module (the check can fail)', async () => {
    const fixtures = join(root, '.slipway', 'test-fixtures');
    await mkdir(fixtures, { recursive: true });
    const dir = await mkdtemp(join(fixtures, 'bundle-'));
    const usesFs = join(dir, 'uses-fs.js');
    await writeFile(
      usesFs,
      "import { readFileSync } from 'node:fs';\nexport async function bad() { return readFileSync('x'); }\n",
    );
    await expect(bundleWorkflowCode({ workflowsPath: usesFs, logger: silent })).rejects.toThrow(REFUSED);
    const usesActivities = join(dir, 'uses-activities.js');
    await writeFile(
      usesActivities,
      "import { createActivities } from '@slipway/activities';\nexport async function bad() { return typeof createActivities; }\n",
    );
    await expect(bundleWorkflowCode({ workflowsPath: usesActivities, logger: silent })).rejects.toThrow(REFUSED);
    await rm(dir, { recursive: true, force: true });
  });
});
