/**
 * `Lineage.runId` became `temporalRunId`. Versions registered before (a SQLite row's lineage JSON, an MLflow version's
 * `slipway.lineage` tag) and register inputs scheduled by a run started before (still in flight when the worker is
 * upgraded) hold the old name; every one of them reads as today's lineage.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { Lineage, parseStepInput, registerStep, upgradeLineage } from '@slipway/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderModelCard } from '../../../packages/activities/src/audit/index.js';
import type { RegisterVersionInput } from '../../../packages/activities/src/ports.js';
import { toVersionRecord, versionTags } from '../../../packages/activities/src/registry/mlflow-records.js';
import { DEFAULT_TAG_VALUE_LIMIT } from '../../../packages/activities/src/registry/mlflow-tags.js';
import { openSqliteRegistry, parseRegisterVersionInput } from '../../../packages/activities/src/registry/index.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import { versionInput } from './registry-fixtures.js';

/** A lineage as written before the rename: the Temporal run id under `runId`. */
function oldLineage(input: RegisterVersionInput): Record<string, unknown> {
  const { temporalRunId, ...rest } = input.lineage;
  return { ...rest, runId: temporalRunId };
}

describe('lineage written with runId reads as temporalRunId', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-legacy-lineage-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the SQLite registry reads a version whose stored lineage says runId', async () => {
    const path = join(dir, 'registry.db');
    const input = versionInput('churn', 'legacy-1');
    const registry = openSqliteRegistry(path);
    await registry.registerVersion(input);
    await registry.close();
    // Write the row's lineage the way versions registered before the rename were stored.
    const raw = new Database(path);
    raw.prepare('UPDATE model_versions SET lineage = ? WHERE name = ?').run(canonicalJson(oldLineage(input)), 'churn');
    expect(
      JSON.parse((raw.prepare('SELECT lineage FROM model_versions').get() as { lineage: string }).lineage),
    ).toMatchObject({
      runId: 'run-1',
    });
    raw.close();

    const reopened = openSqliteRegistry(path);
    try {
      const record = await reopened.getVersion('churn', 1);
      expect(record?.lineage).toEqual(input.lineage);
      expect(record?.lineage.temporalRunId).toBe('run-1');
      expect(record?.lineage).not.toHaveProperty('runId');
      expect((await reopened.resolve('churn', 'latest'))?.lineage.temporalRunId).toBe('run-1');
      expect((await reopened.listVersions('churn')).map((v) => v.lineage.temporalRunId)).toEqual(['run-1']);
      expect(renderModelCard(record!)).toContain('run `run-1`');
    } finally {
      await reopened.close();
    }
  });

  it('the MLflow registry reads a version whose lineage tag says runId', () => {
    const input = versionInput('churn', 'legacy-2');
    const written = { ...input, lineage: oldLineage(input) } as unknown as RegisterVersionInput;
    const tags = versionTags(written, DEFAULT_TAG_VALUE_LIMIT);
    expect(tags.find((t) => t.key === 'slipway.lineage')?.value).toContain('"runId":"run-1"');
    const record = toVersionRecord({
      name: 'churn',
      version: 1,
      creation_timestamp: Date.parse('2026-02-01T10:00:00Z'),
      aliases: [],
      run_id: '',
      tags,
    } as unknown as Parameters<typeof toVersionRecord>[0]);
    expect(record?.lineage).toEqual(input.lineage);
    expect(record?.lineage).not.toHaveProperty('runId');
  });

  it('a register input scheduled before the rename passes the contract and the registry input check', () => {
    const input = versionInput('churn', 'legacy-3');
    const legacy = oldLineage(input);
    expect(Lineage.parse(legacy)).toEqual(input.lineage);
    const step = parseStepInput(
      registerStep,
      { modelName: 'churn', model: input.artifact, metrics: input.metrics, lineage: legacy },
      'activity',
    );
    expect(step.lineage.temporalRunId).toBe('run-1');
    expect(parseRegisterVersionInput({ ...input, lineage: legacy }).lineage).toEqual(input.lineage);
  });

  it('today’s lineage, and a lineage that has both names, keep temporalRunId', () => {
    const input = versionInput('churn', 'legacy-4');
    expect(Lineage.parse(input.lineage)).toEqual(input.lineage);
    const both = { ...input.lineage, runId: 'stale' };
    expect(upgradeLineage(both)).toBe(both);
    expect(Lineage.parse(both)).toEqual(input.lineage);
    const missing: Record<string, unknown> = { ...input.lineage };
    delete missing.temporalRunId;
    expect(() => Lineage.parse(missing)).toThrow(/temporalRunId/);
  });
});
