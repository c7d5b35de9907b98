/**
 * `slipway models list|show|card` and `slipway audit verify|list` as a user runs them: the built CLI on a home
 * whose registry and audit log were written through the library (the churn demo's history and a rollback).
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderModelCard } from '../../../packages/activities/src/audit/index.js';
import type { ModelVersionRecord } from '../../../packages/activities/src/ports.js';
import { runCli } from '../../support/processes.js';
import { flipByte, openAuditedHome, readLines, writeDemoHistory, writeLines } from '../audit/audit-fixtures.js';
import { deploymentInput } from '../registry/registry-fixtures.js';

let home: string;
let logPath: string;
let champion: ModelVersionRecord;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-cli-models-'));
  const { registry, log } = openAuditedHome(home);
  await writeDemoHistory(registry);
  champion = (await registry.resolve('churn', 'champion')) as ModelVersionRecord;
  await registry.close();
  logPath = log.path;
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const slipway = (...args: string[]) => runCli(['--home', home, ...args]);

/** A copy of the home's log with `tamper` applied, for `--log`. */
async function tamperedCopy(name: string, tamper: (path: string) => Promise<void>): Promise<string> {
  const copy = join(home, name);
  await copyFile(logPath, copy);
  await tamper(copy);
  return copy;
}

describe('slipway models', () => {
  it('list: a table of models with their latest version and aliases; JSON with --json', async () => {
    const { code, output } = await slipway('models', 'list');
    expect(code, output).toBe(0);
    expect(output).toMatch(/│ churn │ v2\s+│ 2\s+│ candidate → v1, champion → v1 │/);
    const json = await slipway('models', 'list', '--json');
    expect(JSON.parse(json.output)).toEqual([
      { name: 'churn', latestVersion: 2, versions: 2, aliases: { candidate: 1, champion: 1 } },
    ]);
    const empty = await runCli(['--home', join(home, 'empty'), 'models', 'list']);
    expect(empty.output).toContain('No models are registered yet');
  });

  it('show name@alias: the lineage, approvals with approvers and comments, deployments, audit trail', async () => {
    const { code, output } = await slipway('models', 'show', 'churn@champion');
    expect(code, output).toBe(0);
    expect(output).toContain('churn v1  candidate, champion');
    for (const line of [
      'dataset     file:///data/churn.csv',
      `digest      sha256:${'d'.repeat(64)}`,
      `validation  sha256:${'e'.repeat(64)}  file:///artifacts/e (42 bytes)`,
      `profile     sha256:${'f'.repeat(64)}  file:///artifacts/f (42 bytes)`,
      'trainer     logistic-regression',
      'params      epochs=10 learningRate=0.1',
      'code        abc123',
      'workflow    wf-register-1',
      'run         run-1',
      'auc       0.9500',
      '✔ approved by maria (update) at 2026-02-01T10:00:00.000Z: "metrics hold up in every segment"',
      '✔ approved by lee (update) at 2026-02-01T10:00:00.000Z: "ok | ship it"',
      'champion at http://127.0.0.1:8080 (none before)  dep-deploy-1',
    ]) {
      expect(output).toContain(line);
    }
    expect(output).toMatch(/model card\s+sha256:[0-9a-f]{64}\s+file:\/\/.*\.md/);
    expect(output).toMatch(/│ 11 │ .* │ alias\s+│ churn v1 │ .* │ champion → v1 \(was v2\)/);
  });

  it('show name@version: a rollback with its reason; --json for scripts', async () => {
    const { code, output } = await slipway('models', 'show', 'churn@v2');
    expect(code, output).toBe(0);
    expect(output).toContain('rolled back');
    expect(output).toContain('dep-deploy-2: p99 latency guard failed at 10%');
    const json = await slipway('models', 'show', 'churn@2', '--json');
    const shown = JSON.parse(json.output) as ModelVersionRecord & { audit: { kind: string }[]; modelCard: unknown };
    expect(shown).toMatchObject({ name: 'churn', version: 2, lineage: { datasetDigest: `sha256:${'d'.repeat(64)}` } });
    expect(shown.deployments.map((d) => d.status)).toEqual(['deployed', 'rolled_back']);
    expect(shown.audit.map((e) => e.kind)).toEqual([
      'register',
      'approval',
      'alias',
      'deployment',
      'rollback',
      'alias',
    ]);
    expect(shown.modelCard).toMatchObject({ digest: expect.stringMatching(/^sha256:/) });
  });

  it('show: a version replaced by a successful rollout is shown retired after the drain, in text and JSON', async () => {
    const retiredHome = join(home, 'retired');
    const { registry } = openAuditedHome(retiredHome);
    await writeDemoHistory(registry);
    await registry.recordDeployment({ ...deploymentInput('churn', 2, 'redeploy-2'), previousVersion: 1 });
    await registry.setAlias('churn', 'champion', 2);
    await registry.recordDeployment({
      ...deploymentInput('churn', 1, 'retire-1'),
      deploymentId: 'dep-deploy-1',
      status: 'retired',
      detail: 'replaced by v2 (dep-redeploy-2) in rollout:churn; retired after a 3s drain',
    });
    await registry.close();
    const { code, output } = await runCli(['--home', retiredHome, 'models', 'show', 'churn@v1']);
    expect(code, output).toBe(0);
    expect(output).toMatch(
      /retired \S+ {2}champion at http:\/\/127\.0\.0\.1:8080 \(no longer live\) {2}dep-deploy-1: replaced by v2 \(dep-redeploy-2\) in rollout:churn; retired after a 3s drain/,
    );
    const json = await runCli(['--home', retiredHome, 'models', 'show', 'churn@1', '--json']);
    const shown = JSON.parse(json.output) as ModelVersionRecord & { audit: { kind: string; data: unknown }[] };
    expect(shown.deployments.map((d) => d.status)).toEqual(['deployed', 'retired']);
    expect(shown.audit.at(-1)).toMatchObject({ kind: 'deployment', data: { status: 'retired' } });
  });

  it('show: a reference that names nothing fails, saying what exists', async () => {
    const alias = await slipway('models', 'show', 'churn@staging');
    expect(alias.code).toBe(1);
    expect(alias.output).toContain(
      'model "churn" has no version or alias "staging": it has versions 1 to 2 and aliases candidate → v1, champion → v1',
    );
    const model = await slipway('models', 'show', 'ghost@1');
    expect(model.code).toBe(1);
    expect(model.output).toContain('no model named "ghost" is registered');
  });

  it('card: the markdown model card, printed or written with --out', async () => {
    const printed = await slipway('models', 'card', 'churn@champion');
    expect(printed.code, printed.output).toBe(0);
    expect(printed.output).toBe(renderModelCard(champion));
    const out = join(home, 'card.md');
    const written = await slipway('models', 'card', 'churn@champion', '--out', out);
    expect(written.code, written.output).toBe(0);
    expect(written.output).toContain(`model card of churn v1 written to ${out}`);
    expect(await readFile(out, 'utf8')).toBe(renderModelCard(champion));
  });
});

describe('slipway audit', () => {
  it('verify: exits 0 on the intact log, signed and reaching the registry’s head', async () => {
    const { code, output } = await slipway('audit', 'verify');
    expect(code, output).toBe(0);
    expect(output).toMatch(
      /intact, 11 entries, signed; it reaches the registry’s head, line 11; head sha256:[0-9a-f]{64}/,
    );
  });

  it('verify: exits 1 after one byte is flipped, naming the line', async () => {
    const lines = await readLines(logPath);
    const offset = lines.slice(0, 4).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) + 30;
    const log = await tamperedCopy('flipped.log', (path) => flipByte(path, offset));
    const { code, output } = await slipway('audit', 'verify', '--log', log);
    expect(code, output).toBe(1);
    expect(output).toContain(`${log}: line 5 breaks the chain (edited)`);
    expect(output).toContain('lines 1 to 4 are intact');
  });

  it('verify: exits 1 on a removed or a reordered line, naming it; 2 when there is no log', async () => {
    const lines = await readLines(logPath);
    const removed = await tamperedCopy('removed.log', (path) =>
      writeLines(
        path,
        lines.filter((_, i) => i !== 2),
      ),
    );
    const afterRemoval = await slipway('audit', 'verify', '--log', removed);
    expect(afterRemoval.code).toBe(1);
    expect(afterRemoval.output).toContain('line 3 breaks the chain (removed)');
    const swapped = [...lines.slice(0, 6), lines[7] as string, lines[6] as string, ...lines.slice(8)];
    const reordered = await tamperedCopy('reordered.log', (path) => writeLines(path, swapped));
    const afterSwap = await slipway('audit', 'verify', '--log', reordered, '--json');
    expect(afterSwap.code).toBe(1);
    expect(JSON.parse(afterSwap.output)).toMatchObject({ ok: false, line: 7, reason: 'reordered', entries: 6 });
    const missing = await slipway('audit', 'verify', '--log', join(home, 'nope.log'));
    expect(missing.code).toBe(2);
    expect(missing.output).toContain(`cannot read the audit log ${join(home, 'nope.log')}: no such file`);
  });

  it('list: the entries of one model as a table', async () => {
    const { code, output } = await slipway('audit', 'list', '--model', 'churn');
    expect(code, output).toBe(0);
    expect(output).toMatch(/│ 3\s+│ .* │ approval\s+│ churn v1 │ maria, lee │ approved, evidence sha256:b{12}…/);
    expect(output).toMatch(/│ 10 │ .* │ rollback\s+│ churn v2 │/);
  });
});
