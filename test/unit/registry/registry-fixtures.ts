/** Inputs and helpers shared by the registry tests. */
import { expect } from 'vitest';
import type { ArtifactRef, GateDecision, Lineage } from '@slipway/sdk';
import type {
  ModelRegistry,
  RecordApprovalInput,
  RecordDeploymentInput,
  RegisterVersionInput,
} from '../../../packages/activities/src/ports.js';

/** A `sha256:` digest made of one repeated hex digit, for fixtures. */
export function fakeDigest(hexDigit: string): string {
  return `sha256:${hexDigit.repeat(64)}`;
}

/** A fixture artifact reference whose digest repeats `hexDigit`. */
export function artifactRef(hexDigit: string): ArtifactRef {
  return {
    uri: `file:///artifacts/${hexDigit}`,
    digest: fakeDigest(hexDigit),
    size: 42,
    mediaType: 'application/json',
  };
}

function lineage(workflowId: string): Lineage {
  return {
    datasetUri: 'file:///data/churn.csv',
    datasetDigest: fakeDigest('d'),
    validationReport: artifactRef('e'),
    profile: artifactRef('f'),
    trainer: 'logistic-regression',
    params: { epochs: 10, learningRate: 0.1 },
    features: { numeric: ['tenure'], categorical: ['plan'], target: 'churned' },
    codeVersion: 'abc123',
    workflowId,
    temporalRunId: 'run-1',
  };
}

/** A valid `registerVersion` input for fixtures. */
export function versionInput(
  name: string,
  key: string,
  overrides: Partial<RegisterVersionInput> = {},
): RegisterVersionInput {
  return {
    name,
    artifact: artifactRef('a'),
    metrics: { accuracy: 0.91, auc: 0.95 },
    lineage: lineage(`wf-${key}`),
    idempotencyKey: key,
    ...overrides,
  };
}

function decision(approver: string, at: string): GateDecision {
  return { decision: 'approve', approver, comment: 'looks good', at, via: 'update' };
}

/** A valid `recordApproval` input for fixtures. */
export function approvalInput(name: string, version: number, key: string): RecordApprovalInput {
  return {
    name,
    version,
    outcome: 'approved',
    decisions: [decision('ada', '2026-01-01T00:00:00.000Z')],
    evidenceDigest: fakeDigest('b'),
    workflowId: 'wf-gate',
    runId: 'run-gate',
    idempotencyKey: key,
  };
}

/** A valid `recordDeployment` input for fixtures. */
export function deploymentInput(name: string, version: number, key: string): RecordDeploymentInput {
  return {
    name,
    version,
    deploymentId: `dep-${key}`,
    serverUrl: 'http://127.0.0.1:8080',
    alias: 'champion',
    previousVersion: null,
    status: 'deployed',
    idempotencyKey: key,
  };
}

/** The failure a promise rejects with (fails the test when it resolves). */
export async function failureOf(promise: Promise<unknown>): Promise<Error & { type?: string }> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.err).toBeInstanceOf(Error);
  return outcome.err as Error & { type?: string };
}

/** Registers `count` versions of `name` under keys `<name>-1`, `<name>-2`, …. */
export async function registerMany(registry: ModelRegistry, name: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await registry.registerVersion(versionInput(name, `${name}-${i}`));
}
