/**
 * Prebuilt workflow bundles (`slipway bundle`, `slipway worker --workflow-bundle`): a written bundle loads back
 * with its header; a file that is not a bundle, a damaged header, code changed after writing and a missing file are
 * each refused, naming the file and what is wrong; so is a bundle given together with a workflows module.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowBundle, writeWorkflowBundle } from '../../../packages/worker/src/worker/workflow-bundle.js';
import { runCli } from '../../support/processes.js';

let dir: string;
let bundlePath: string;

beforeAll(async () => {
  // Inside the project, so webpack resolves @temporalio/workflow from its node_modules.
  const fixtures = resolve(import.meta.dirname, '..', '..', '..', '.slipway', 'test-fixtures');
  await mkdir(fixtures, { recursive: true });
  dir = await mkdtemp(join(fixtures, 'prebuilt-bundle-'));
  const workflows = join(dir, 'workflows.js');
  await writeFile(workflows, 'export async function hello(name) { return `hello ${name}`; }\n');
  bundlePath = join(dir, 'out', 'workflows.bundle.js');
  await writeWorkflowBundle({ workflowsPath: workflows, out: bundlePath });
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('prebuilt workflow bundles', () => {
  it('load back with the header that names their workflows and digest', async () => {
    const loaded = await loadWorkflowBundle(bundlePath);
    expect(loaded.header).toMatchObject({ version: 1, workflows: join(dir, 'workflows.js') });
    expect(loaded.header.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(loaded.code).toContain('hello');
    expect(loaded.code.startsWith('// slipway-workflow-bundle')).toBe(false);
  });

  it('refuses a file that is not a bundle', async () => {
    const other = join(dir, 'other.js');
    await writeFile(other, 'console.log(1)\n');
    await expect(loadWorkflowBundle(other)).rejects.toThrow(`${other} is not a Slipway workflow bundle`);
  });

  it('refuses a damaged header, naming line 1', async () => {
    const damaged = join(dir, 'damaged.js');
    await writeFile(damaged, '// slipway-workflow-bundle {"version":1}\ncode\n');
    await expect(loadWorkflowBundle(damaged)).rejects.toThrow(`${damaged}: line 1, the bundle header is damaged`);
  });

  it('refuses code changed after it was written', async () => {
    const changed = join(dir, 'changed.js');
    await writeFile(changed, (await readFile(bundlePath, 'utf8')).replace('hello', 'HELLO'));
    await expect(loadWorkflowBundle(changed)).rejects.toThrow(/changed after `slipway bundle` wrote it/);
  });

  it('cannot be combined with --workflows: slipway worker and slipway replay-check refuse both, starting nothing', async () => {
    for (const command of [['worker'], ['replay-check', 'history.json']]) {
      const { code, output } = await runCli([
        ...['--address', '127.0.0.1:1'],
        ...command,
        ...['--workflows', join(dir, 'workflows.js'), '--workflow-bundle', bundlePath],
      ]);
      expect(code, output).toBe(1);
      expect(output).toContain('--workflows and --workflow-bundle exclude each other');
    }
  });

  it('refuses a missing file', async () => {
    await expect(loadWorkflowBundle(join(dir, 'none.js'))).rejects.toThrow(
      /cannot read the workflow bundle .*none\.js/,
    );
  });
});
