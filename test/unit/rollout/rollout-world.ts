/**
 * The world the rollout activities are tested in: a real model server (in process), a real SQLite registry audited
 * into a real log, a real artifact store and a directory of people with real keys; the activities as
 * `createActivities` registers them, run as activities of a named workflow; bounded loopback traffic; and the check
 * that the registry's alias and the server's stable version agree.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  failureType,
  recordApprovalStep,
  type ApprovalProof,
  type GuardReadings,
  type ModelVersionRef,
  type RolloutGuards,
  type StepInput,
  type rolloutCompensateStep,
  type rolloutPromoteStep,
  type rolloutReadStep,
  type rolloutRetireStep,
  type rolloutStageStep,
  type rolloutTrafficStep,
} from '@slipway/sdk';
import {
  openAuditLog,
  readAuditEntries,
  withAudit,
  type AuditLog,
} from '../../../packages/activities/src/audit/index.js';
import { createActivities } from '../../../packages/activities/src/create-activities.js';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { createModelServerClient } from '../../../packages/activities/src/model-server/index.js';
import type {
  ActivityDeps,
  DirectorySource,
  ModelRegistry,
  SerializedModel,
} from '../../../packages/activities/src/ports.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import { registeredVersionProof } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { TEST_TOKEN, openWorld, registerModel, tempDir, testAccess, type TestWorld } from '../serve/fixtures.js';
import { ROLLOUT_PREDICTORS } from './rollout-fixtures.js';

/** Guards with a small minimum, for bounded test traffic. */
export const GUARDS: RolloutGuards = { maxErrorRate: 0.01, minRequests: 5 };

type Activities = ReturnType<typeof createActivities>;
/** The rollout steps by activity name. */
interface Steps {
  'slipway.rollout.stage': typeof rolloutStageStep;
  'slipway.rollout.traffic': typeof rolloutTrafficStep;
  'slipway.rollout.read': typeof rolloutReadStep;
  'slipway.rollout.promote': typeof rolloutPromoteStep;
  'slipway.rollout.compensate': typeof rolloutCompensateStep;
  'slipway.rollout.retire': typeof rolloutRetireStep;
}
type Name = keyof Steps;

/** A refused activity: its failure type, message and retry flag. */
export interface Refusal {
  type?: string;
  message: string;
  nonRetryable?: boolean;
}

/** The failure `promise` rejects with. */
export async function refusal(promise: Promise<unknown>): Promise<Refusal> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e as Error & { nonRetryable?: boolean },
  );
  return { type: failureType(err), message: err.message, nonRetryable: err.nonRetryable };
}

/** Registers the world's hooks in the calling test file and returns its helpers. */
export function useRolloutWorld(prefix: string) {
  let world: TestWorld;
  let registry: ModelRegistry;
  let log: AuditLog;
  let people: TestPeople;
  let directory: DirectorySource;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;

  const startServer = (port = 0) =>
    startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: ROLLOUT_PREDICTORS,
      token: TEST_TOKEN,
      port,
    });

  beforeAll(async () => {
    world = await openWorld(prefix);
    log = openAuditLog(`${world.root}/audit.log`);
    registry = withAudit(world.registry, log);
    people = await createTestPeople(`${world.root}/people`);
    directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
    home = await tempDir(`${prefix}-home`);
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
    await world?.close();
    await home?.cleanup();
  });

  const serverUrl = () => server.url;
  const client = () => createModelServerClient(server.url, { token: TEST_TOKEN.value });
  const activities = (extra: Partial<ActivityDeps> = {}) =>
    createActivities({
      artifacts: world.artifacts,
      registry,
      modelServer: testAccess(server.url),
      directory,
      ...extra,
    });

  /** Runs activity `name` of `createActivities(deps)` as activity `activityId` of workflow `workflowId`. */
  async function runActivity(workflowId: string, activityId: string, activity: unknown, input: unknown) {
    const info = { activityId, workflowExecution: { workflowId, runId: `${workflowId}-run` } };
    const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
    const output: unknown = await env.run(activity as (input: unknown) => Promise<unknown>, input);
    return output;
  }

  /** Runs the rollout activity `name` as activity `activityId` of workflow `workflowId`. */
  async function run<N extends Name>(
    workflowId: string,
    activityId: string,
    name: N,
    input: StepInput<Steps[N]>,
  ): Promise<Awaited<ReturnType<Activities[N]>>> {
    const output = await runActivity(workflowId, activityId, activities()[name], input);
    return output as Awaited<ReturnType<Activities[N]>>;
  }

  async function register(name: string, model: SerializedModel): Promise<ModelVersionRef> {
    const { record } = await registerModel(world, name, model);
    return { name: record.name, version: record.version, digest: record.artifact.digest };
  }

  const proofOf = (version: ModelVersionRef, workflowId: string): Promise<ApprovalProof> =>
    registeredVersionProof(registry, version, { people, workflowId });

  /** Records the proof's approval as the promotion's record-approval step does, in the proof's workflow. */
  async function recordApproval(version: ModelVersionRef, proof: ApprovalProof): Promise<void> {
    await runActivity(proof.workflowId, 'record', activities()[recordApprovalStep.name], {
      version,
      outcome: proof.outcome,
      decisions: proof.decisions,
      evidenceDigest: proof.evidence.digest,
      proof,
    });
  }

  /** The registry's alias and the server's stable version must agree: both are `version`. */
  async function expectAgree(model: string, version: number | null): Promise<void> {
    const status = await client()
      .status(model)
      .catch(() => null);
    const alias = (await registry.getAlias(model, 'champion')) ?? null;
    expect({ alias, served: status?.stable?.version ?? null }).toEqual({ alias: version, served: version });
  }

  /** Deploys `version` as the model's first version through the rollout steps: stage, all traffic, promote. */
  async function firstRollout(version: ModelVersionRef): Promise<string> {
    const wf = `wf-first-${version.name}`;
    const proof = await proofOf(version, wf);
    const url = serverUrl();
    const { deploymentId } = await run(wf, 'stage', 'slipway.rollout.stage', { version, serverUrl: url, proof });
    const windowId = `${wf}-s0-1`;
    const split = { percent: 100, mode: 'split', windowId } as const;
    await run(wf, 'traffic-0', 'slipway.rollout.traffic', { version, serverUrl: url, deploymentId, ...split });
    const promoted = await run(wf, 'promote', 'slipway.rollout.promote', {
      version,
      serverUrl: url,
      deploymentId,
      proof,
    });
    expect(promoted).toEqual({ previousVersion: null, live: { version: version.version, deploymentId } });
    await expectAgree(version.name, version.version);
    return deploymentId;
  }

  /** Stages `version` in workflow `wf` and gives it `percent` of the traffic in window `<wf>-s0-1`. */
  async function canary(wf: string, version: ModelVersionRef, percent: number, mode: 'split' | 'shadow' = 'split') {
    const proof = await proofOf(version, wf);
    const url = serverUrl();
    const { deploymentId } = await run(wf, 'stage', 'slipway.rollout.stage', { version, serverUrl: url, proof });
    const windowId = `${wf}-s0-1`;
    const split = { percent, mode, windowId };
    await run(wf, 'traffic-0', 'slipway.rollout.traffic', { version, serverUrl: url, deploymentId, ...split });
    const read = (guards: RolloutGuards, close = true) =>
      run(wf, 'read-0', 'slipway.rollout.read', { version, serverUrl: url, deploymentId, windowId, guards, close });
    const compensate = (reason: string, readings?: GuardReadings) =>
      run(wf, 'compensate', 'slipway.rollout.compensate', {
        version,
        serverUrl: url,
        deploymentId,
        reason,
        step: 0,
        ...(readings ? { readings } : {}),
      });
    return { deploymentId, proof, windowId, read, compensate };
  }

  /** Sends `n` one-row predict requests (tenure 0..39 in turn): which version answered each, and how many failed. */
  async function traffic(model: string, n: number): Promise<{ byVersion: Record<number, number>; failed: number }> {
    const byVersion: Record<number, number> = {};
    let failed = 0;
    for (let i = 0; i < n; i++) {
      try {
        const answer = await client().predict(model, [{ tenure: i % 40, plan: i % 2 === 0 ? 'basic' : 'pro' }]);
        byVersion[answer.version] = (byVersion[answer.version] ?? 0) + 1;
      } catch {
        failed++;
      }
    }
    return { byVersion, failed };
  }

  async function auditLines(model: string, kind: string) {
    return (await readAuditEntries(log.path)).filter((e) => e.model === model && e.kind === kind);
  }

  /** Stops the model server and starts it again on the same port and state. */
  async function restartServer(): Promise<void> {
    const port = Number(new URL(server.url).port);
    await server.close();
    server = await startServer(port);
  }

  return {
    registry: () => registry,
    serverUrl,
    client,
    activities,
    runActivity,
    run,
    register,
    proofOf,
    recordApproval,
    expectAgree,
    firstRollout,
    canary,
    traffic,
    auditLines,
    restartServer,
  };
}
