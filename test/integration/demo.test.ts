/**
 * The demo a newcomer runs (`npm run demo`), end to end in a fresh Slipway home: its own dev server, model
 * server process and worker; the churn pipeline approved by a named approver; predictions; drift; the retrain
 * rolled out as a canary 10 → 50 → 100 under traffic, the old version retired; shutdown;
 * the one-line JSON summary last; then the champion's lineage and the audit trail through the CLI, and one
 * changed byte of that trail caught at its line.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { findTemporalCli } from '../../packages/worker/src/dev-server/index.js';
import { runCli, spawnNode } from '../support/processes.js';
import type { CanarySummary } from '../../examples/churn/demo/canary.js';
import type { GuardianSummary } from '../../examples/churn/demo/guardian.js';

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
    '6. guardian: watches what churn serves, catches the drift, retrains on the newest data',
    '7. retrain: lee approves; v2 rolls out as a canary 10 → 50 → 100',
    '8. shutting down',
  ]) {
    expect(output).toContain(heading);
  }
  expect(output).toMatch(/✔ deploy\s+v1 serving/);
  checkGuardian(summary, output);
  checkCanary(summary, output);
  expect(summary.audit).toMatchObject({ intact: true, entries: expect.any(Number) });
  await checkLineageAndAudit(join(home, 'demo'), output);
  await rm(home, { recursive: true, force: true });
});

/**
 * The retrain's canary: every step printed as it was judged, each passed with traffic on the candidate, no request
 * failed, both versions answered, the alias moved once, registry and server agree on v2, v1 retired after the drain.
 */
function checkCanary(summary: Record<string, unknown>, output: string): void {
  const rollout = summary.rollout as CanarySummary;
  expect(rollout.version).toBe(2);
  // A step may hold (too few requests yet) before it passes; each of 10, 50 and 100 ends passed, in order.
  const passed = rollout.steps.filter((s) => s.verdict === 'pass');
  expect(passed.map((s) => s.percent)).toEqual([10, 50, 100]);
  expect(rollout.steps.every((s) => s.verdict === 'pass' || s.verdict === 'hold')).toBe(true);
  for (const step of passed) expect(step.candidateRequests).toBeGreaterThanOrEqual(10);
  expect(rollout.traffic.failed).toBe(0);
  expect(rollout.traffic.byVersion['1']).toBeGreaterThan(0);
  expect(rollout.traffic.byVersion['2']).toBeGreaterThan(0);
  expect(rollout.aliasMoves).toBe(1);
  expect(rollout.agreement).toEqual({ registry: 2, server: 2 });
  expect(rollout.retired).toMatchObject({ version: 1 });
  const stepLines = output.split('\n').filter((line) => /step \d\/3/.test(line));
  for (const percent of [' 10 %', ' 50 %', '100 %']) {
    const passedLine = new RegExp(`step \\d/3 ${percent}  v2 \\d+ requests, 0 errors .*→ pass`);
    expect(
      stepLines.some((line) => passedLine.test(line)),
      `no passed ${percent} line in:\n${stepLines.join('\n')}`,
    ).toBe(true);
  }
  expect(output).toContain('alias champion: v1 → v2, moved 1 time(s) (audit log)');
  expect(output).toContain('registry champion v2, model server stable v2');
  expect(output).toMatch(
    /v1 retired: replaced by v2 \(churn-v2-[0-9a-f]+\) in rollout:churn; retired after the 3s drain/,
  );
}

/**
 * The guardian: drifted checks counted, exactly one retrain started (later drifts while it ran started nothing),
 * the retrain resolved to the newest recent file, validated against the serving window, approved by lee, ended
 * deployed as v2; maria stopped the guardian.
 */
function checkGuardian(summary: Record<string, unknown>, output: string): void {
  const guardian = summary.guardian as GuardianSummary;
  expect(guardian.retrain).toEqual({ workflowId: 'retrain:churn', status: 'deployed', version: 2 });
  expect(guardian.decisions.filter((kind) => kind === 'retrain_started')).toHaveLength(1);
  expect(guardian.decisions).toContain('drift_counted');
  expect(guardian.decisions).toContain('retrain_finished');
  expect(guardian.stoppedBy).toBe('maria');
  expect(output).toMatch(/check \d+: \d+ served rows; \d features drifted \(share 0\.\d+\): DRIFT/);
  expect(output).toMatch(/→ retrain started: drift: 2 of 2 drifted checks in a row/);
  expect(output).toMatch(
    /why: retrain after guardian:churn\/check-\d+: \d features drifted .*validated against that serving window/,
  );
  expect(output).toContain('lee approves v2');
  expect(output).toContain('maria stopped the guardian (stopped)');
}

/** What the demo tells a newcomer to try next: the champion's lineage, and the audit trail's chain. */
async function checkLineageAndAudit(demoHome: string, output: string): Promise<void> {
  const show = await runCli(['--home', demoHome, 'models', 'show', 'churn@champion']);
  expect(show.code, show.output).toBe(0);
  for (const part of ['churn', 'v2', 'champion', 'lee', 'sha256:', 'churn-2027-03.csv', 'previous v1']) {
    expect(show.output).toContain(part);
  }
  const retired = await runCli(['--home', demoHome, 'models', 'show', 'churn@v1']);
  expect(retired.code, retired.output).toBe(0);
  expect(retired.output).toMatch(/retired \S+ {2}champion at \S+ \(no longer live\)/);

  // As the demo prints it: with the demo's directory of people and its administrator key.
  const hint =
    /^\s*(SLIPWAY_DIRECTORY=\S+) (SLIPWAY_DIRECTORY_ADMIN_KEY=\S+) npx slipway --home \S+ audit verify$/m.exec(output);
  expect(hint, 'the demo prints the audit verify command with its directory settings').not.toBeNull();
  const env = Object.fromEntries([hint![1]!, hint![2]!].map((pair) => pair.split('=', 2) as [string, string]));
  const verify = await runCli(['--home', demoHome, 'audit', 'verify'], env);
  expect(verify.code, verify.output).toBe(0);
  expect(verify.output).toContain('intact');
  expect(verify.output).toContain('2 decision signatures verified on 2 approval lines');

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
