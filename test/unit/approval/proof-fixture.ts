/**
 * What the `verifyApprovalProof` tests share: people with keys made on the fly (`createTestPeople`) and their
 * directory read from its file, a forger's directory with the same names and keys of its own, the evidence and
 * version a proof is about, and helpers that make a proof, the acting step's context, and read a refusal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { SlipwayErrorType, failureType, type ApprovalProof, type EvidencePacket } from '@slipway/sdk';
import {
  evidenceDigest,
  verifyApprovalProof,
  type ProofContext,
} from '../../../packages/activities/src/approval/index.js';
import { loadPeopleDirectory, type LoadedDirectory } from '../../../packages/activities/src/directory/index.js';
import { approvalProof, type TestProofOptions } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';

export const VERSION = { name: 'churn', version: 2, digest: `sha256:${'a'.repeat(64)}` };
export const WORKFLOW = 'wf-verify-proof';

/** The evidence of version 2 against a champion (v1 with auc 0.8 unless given; none with null). */
export function evidence(champion: { version: number; auc: number } | null = { version: 1, auc: 0.8 }): EvidencePacket {
  const content = {
    model: 'churn',
    candidate: { version: 2, metrics: { auc: 0.85 } },
    champion: champion ? { version: champion.version, metrics: { auc: champion.auc } } : null,
    datasetUri: 'file:///data/churn.csv',
    datasetDigest: `sha256:${'b'.repeat(64)}`,
    validationReportDigest: `sha256:${'c'.repeat(64)}`,
    codeVersion: 'git:0123456',
  };
  return { ...content, digest: evidenceDigest(content) };
}

/** An `InvalidApprovalProof` refusal whose message holds `message` (or matches it). */
export const invalid = (message: string | RegExp) => ({
  type: SlipwayErrorType.InvalidApprovalProof,
  message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message),
});

/** The people, their directory and a forger's, made before a file's tests and removed after them. */
export interface ProofFixture {
  root: string;
  people: TestPeople;
  directory: LoadedDirectory;
  /** Another administrator's directory with the same names but keys of its own: what a forger would make. */
  forged: TestPeople;
  /** A proof for {@link WORKFLOW} about {@link evidence}, signed by the fixture's people. */
  proofOf: (options?: Partial<TestProofOptions>) => ApprovalProof;
  /** The acting step's context: this directory, {@link VERSION}, requiring an approved outcome. */
  context: (overrides?: Partial<ProofContext>) => ProofContext;
  /** The failure `verifyApprovalProof` throws, as `{ type, message }`; fails the test when none is thrown. */
  refusal: (proof: ApprovalProof, overrides?: Partial<ProofContext>) => { type?: string; message: string };
}

/** Registers the fixture's set-up and clean-up with the calling test file; its fields are set once tests run. */
export function useProofFixture(): ProofFixture {
  const fx = {
    proofOf: (options: Partial<TestProofOptions> = {}) =>
      approvalProof({ people: fx.people, workflowId: WORKFLOW, evidence: evidence(), ...options }),
    context: (overrides: Partial<ProofContext> = {}) => ({
      directory: fx.directory,
      version: VERSION,
      require: 'approved' as const,
      ...overrides,
    }),
    refusal: (proof: ApprovalProof, overrides: Partial<ProofContext> = {}) => {
      try {
        verifyApprovalProof(proof, fx.context(overrides));
      } catch (err) {
        expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(true);
        return { type: failureType(err), message: (err as Error).message };
      }
      return expect.fail('expected the proof to be refused');
    },
  } as ProofFixture;
  beforeAll(async () => {
    fx.root = await mkdtemp(join(tmpdir(), 'slipway-verify-proof-'));
    fx.people = await createTestPeople(join(fx.root, 'people'));
    fx.forged = await createTestPeople(join(fx.root, 'forged'));
    fx.directory = await loadPeopleDirectory(fx.people.directoryPath);
  });
  afterAll(async () => {
    await rm(fx.root, { recursive: true, force: true });
  });
  return fx;
}
