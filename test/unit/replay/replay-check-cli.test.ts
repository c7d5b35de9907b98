/**
 * `slipway replay-check` as an SRE runs it before an upgrade: against workflow code with a planted non-deterministic
 * change (trainAndPromote sleeps before its first step, a timer where the history has the next command) it exits 1
 * naming the run and the event where the code and the history part; a bundle file from `slipway bundle` is checked
 * the same way. That the recorded histories pass against this install's pipelines is shown by
 * `recorded-histories.test.ts` (same replay module) and, for runs fetched from a namespace, by the CLI's integration
 * test.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/processes.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const HISTORIES = join(REPO, 'test', 'fixtures', 'histories');
const APPROVED = join(HISTORIES, 'train-and-promote-approved-deployed.json');

let dir: string;
let planted: string;

beforeAll(async () => {
  // Inside the project, so webpack resolves the workflow packages from its node_modules.
  const fixtures = join(REPO, '.slipway', 'test-fixtures');
  await mkdir(fixtures, { recursive: true });
  dir = await mkdtemp(join(fixtures, 'replay-check-'));
  planted = join(dir, 'planted-workflows.js');
  await writeFile(
    planted,
    [
      "import { sleep } from '@temporalio/workflow';",
      "import { trainAndPromote as recorded } from '@slipway/sdk/pipelines';",
      "export * from '@slipway/sdk/pipelines';",
      '/** The change an upgrade must not ship unguarded: a timer before the first step. */',
      "export async function trainAndPromote(input) { await sleep('1s'); return recorded(input); }",
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Each case runs the CLI, which bundles the workflow code it checks (webpack): seconds, more on a busy machine.
describe('slipway replay-check', { timeout: 180_000 }, () => {
  it('fails on a planted non-deterministic change, naming the run and the event', async () => {
    const { code, output } = await runCli(['replay-check', '--workflows', planted, APPROVED, '--json']);
    expect(code, output).toBe(1);
    const [outcome] = JSON.parse(output.slice(output.indexOf('['))) as {
      workflowId: string;
      ok: boolean;
      eventId?: number;
      event?: string;
      error?: string;
    }[];
    expect(outcome).toMatchObject({ workflowId: 'fixture-approved-deployed', ok: false });
    expect(outcome?.error).toMatch(/Nondeterminism/);
    expect(outcome?.eventId).toBeGreaterThan(0);
    // The first command the history recorded where the code now starts a timer.
    expect(outcome?.event).toMatch(/^[A-Z][A-Za-z]+/);
  });

  it('checks a bundle file from `slipway bundle`, and refuses a file that is not a history', async () => {
    const bundle = join(dir, 'planted.bundle.js');
    const written = await runCli(['bundle', '--workflows', planted, '--out', bundle]);
    expect(written.code, written.output).toBe(0);
    const { code, output } = await runCli(['replay-check', '--workflow-bundle', bundle, APPROVED]);
    expect(code, output).toBe(1);
    expect(output).toMatch(/✘ fixture-approved-deployed .*\n\s+diverges at event \d+ \([A-Z][A-Za-z]+/);
    const notHistory = join(dir, 'not-a-history.json');
    await writeFile(notHistory, '{"events": []}');
    const refused = await runCli(['replay-check', notHistory]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`${notHistory}: not a workflow history`);
  });
});
