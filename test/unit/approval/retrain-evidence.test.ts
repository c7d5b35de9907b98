/**
 * The evidence of a retrain started by the model guardian: the packet carries the drift report, its page and the
 * serving profile with a one-line summary, and its digest covers the drift report's digest (what approvers sign);
 * a drift report that is not one, is about another model or check, found no drift, or a missing page, is refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EvidencePacket,
  SlipwayErrorType,
  evidenceStep,
  failureType,
  rootMessage,
  type ModelVersionRef,
  type RetrainTrigger,
} from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import { evidenceDigest } from '../../../packages/activities/src/approval/evidence-packet.js';
import { createEvidenceActivity } from '../../../packages/activities/src/steps/evidence.js';
import type { ArtifactStore, ModelRegistry } from '../../../packages/activities/src/ports.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';

const CHECK = 'guardian:people/check-9';
let dir: string;
let artifacts: ArtifactStore;
let registry: ModelRegistry;
let evidence: ReturnType<typeof createEvidenceActivity>;
let trigger: RetrainTrigger;
let candidate: ModelVersionRef;

const report = (more: Record<string, unknown> = {}) => ({
  kind: 'slipway.guard-report',
  model: 'people',
  checkId: CHECK,
  samples: 800,
  drifted: true,
  driftShare: 0.75,
  driftedFeatures: ['age', 'plan', 'tenure'],
  features: [],
  ...more,
});

async function register(version: number): Promise<ModelVersionRef> {
  const profile = await artifacts.putJson({ rows: version, columns: {} });
  const registered = await registry.registerVersion({
    name: 'people',
    artifact: profile,
    metrics: { auc: 0.7 + version / 100 },
    lineage: {
      datasetUri: `file:///data/people-${version}.csv`,
      datasetDigest: profile.digest,
      validationReport: profile,
      profile,
      trainer: 'none',
      params: {},
      features: { numeric: ['age'], categorical: [], target: 'plan' },
      codeVersion: 'test',
      workflowId: 'w',
      temporalRunId: 'r',
    },
    idempotencyKey: `people-${version}`,
  });
  const { name, artifact } = registered.version;
  return { name, version: registered.version.version, digest: artifact.digest };
}

const run = (retrain?: RetrainTrigger) =>
  evidence(evidenceStep.input.parse({ candidate, ...(retrain ? { retrain } : {}) }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-retrain-evidence-'));
  artifacts = createFsArtifactStore(join(dir, 'artifacts'));
  registry = openSqliteRegistry(join(dir, 'registry.db'));
  evidence = createEvidenceActivity({ registry, artifacts });
  await register(1);
  await registry.setAlias('people', 'champion', 1);
  candidate = await register(2);
  trigger = {
    guardian: 'guardian:people',
    checkId: CHECK,
    driftReport: await artifacts.putJson(report()),
    driftPage: await artifacts.putBytes(new TextEncoder().encode('<html>drift</html>'), { mediaType: 'text/html' }),
    servingProfile: await artifacts.putJson({ rows: 800, columns: {} }),
  };
});
afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the evidence of a retrain', () => {
  it('carries the drift report, page and serving profile with a one-line summary, bound into its digest', async () => {
    const packet = EvidencePacket.parse(await run(trigger));
    expect(packet.retrain).toEqual({
      guardian: 'guardian:people',
      checkId: CHECK,
      driftReport: trigger.driftReport,
      driftPage: trigger.driftPage,
      servingProfile: trigger.servingProfile,
      summary:
        `retrain after ${CHECK}: 3 features drifted (age, plan, tenure), share 0.75, over 800 ` +
        'served rows; validated against that serving window',
    });
    expect(packet.champion?.version).toBe(1);
    expect(packet.digest).toBe(evidenceDigest(packet));
    // Another drift report is another packet: the approver's signature names this one.
    const swapped = {
      ...packet,
      retrain: { ...packet.retrain!, driftReport: { ...trigger.driftReport, digest: trigger.servingProfile.digest } },
    };
    expect(evidenceDigest(swapped)).not.toBe(packet.digest);
    const plain = await run();
    expect(plain.retrain).toBeUndefined();
    expect(plain.digest).not.toBe(packet.digest);
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['is about another model', { model: 'houses' }, 'is about model "houses"'],
    ['is of another check', { checkId: 'guardian:people/check-3' }, 'is of check guardian:people/check-3'],
    ['found no drift', { drifted: false, driftedFeatures: [], driftShare: 0 }, 'found no drift'],
    ['is not a drift report', { driftShare: 'high' }, 'driftShare'],
  ];
  it.each(refusals)('refuses a drift report that %s', async (_what, change, message) => {
    const driftReport = await artifacts.putJson(report(change));
    const failure = await run({ ...trigger, driftReport }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.InvalidInput);
    expect(rootMessage(failure)).toContain(message);
    expect(rootMessage(failure)).toContain(driftReport.uri);
  });

  it('refuses a trigger whose page is not in the artifact store', async () => {
    const driftPage = await artifacts.putBytes(new TextEncoder().encode('<html>lost</html>'));
    await rm(fileURLToPath(driftPage.uri));
    const failure = await run({ ...trigger, driftPage }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.NotFound);
  });
});
