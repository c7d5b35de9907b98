/**
 * The demo a newcomer runs (`npm run demo`), end to end in a fresh Slipway home: its own dev server, model
 * server process and worker; the churn pipeline approved by a named approver; predictions; drift; shutdown;
 * the one-line JSON summary last; then the champion's lineage and the audit trail through the CLI, and one
 * changed byte of that trail caught at its line.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { findTemporalCli } from '../../packages/worker/src/dev-server/index.js';
import { runCli, spawnNode } from '../support/processes.js';

const root = resolve(import.meta.dirname, '..', '..');

it('npm run demo: completes the churn pipeline and prints the JSON summary last', async () => {
  const home = await mkdtemp(join(tmpdir(), 'slipway-demo-'));
  const cli = findTemporalCli({ home: join(root, '.slipway') });
  const demo = spawnNode(join(root, 'examples', 'churn', 'demo', 'dist', 'demo.js'), [], {
    SLIPWAY_HOME: home,
    ...(cli ? { TEMPORAL_CLI_PATH: cli.path } : {}),
  });
  const code = await demo.exited;
  const output = demo.output();
  expect(code, output).toBe(0);
  const lines = output.trimEnd().split('\n');
  const summary = JSON.parse(lines.at(-1) as string) as Record<string, unknown>;
  expect(summary).toMatchObject({ status: 'completed', model: 'churn', version: 1, approvedBy: 'maria' });
  expect(summary.prediction).toMatchObject({ customer: 'C10001', score: expect.any(Number) });
  expect(summary.drift).toMatchObject({ samples: 400, drifted: true });
  for (const heading of [
    '1. Temporal dev server',
    '2. churn pipeline',
    '3. approval',
    '4. serving',
    '5. monitor',
    '6. shutting down',
  ]) {
    expect(output).toContain(heading);
  }
  expect(output).toMatch(/✔ deploy\s+v1 serving/);
  expect(summary.audit).toMatchObject({ intact: true, entries: expect.any(Number) });
  await checkLineageAndAudit(join(home, 'demo'), output);
  await rm(home, { recursive: true, force: true });
});

/** What the demo tells a newcomer to try next: the champion's lineage, and the audit trail's chain. */
async function checkLineageAndAudit(demoHome: string, output: string): Promise<void> {
  const show = await runCli(['--home', demoHome, 'models', 'show', 'churn@champion']);
  expect(show.code, show.output).toBe(0);
  for (const part of ['churn', 'v1', 'champion', 'maria', 'sha256:', 'churn.csv']) expect(show.output).toContain(part);

  // As the demo prints it: with the demo's directory of people and its administrator key.
  const hint =
    /^\s*(SLIPWAY_DIRECTORY=\S+) (SLIPWAY_DIRECTORY_ADMIN_KEY=\S+) npx slipway --home \S+ audit verify$/m.exec(output);
  expect(hint, 'the demo prints the audit verify command with its directory settings').not.toBeNull();
  const env = Object.fromEntries([hint![1]!, hint![2]!].map((pair) => pair.split('=', 2) as [string, string]));
  const verify = await runCli(['--home', demoHome, 'audit', 'verify'], env);
  expect(verify.code, verify.output).toBe(0);
  expect(verify.output).toContain('intact');
  expect(verify.output).toContain('1 decision signature verified on 1 approval line');

  const log = join(demoHome, 'audit.log');
  const bytes = await readFile(log);
  const secondLine = bytes.indexOf(0x0a) + 1;
  const at = bytes.indexOf(Buffer.from('"model":"churn"'), secondLine) + '"model":"'.length;
  bytes[at] = 'C'.charCodeAt(0);
  await writeFile(log, bytes);
  const broken = await runCli(['--home', demoHome, 'audit', 'verify'], env);
  expect(broken.code, broken.output).toBe(1);
  expect(broken.output).toMatch(/line 2 breaks the chain/);
}
