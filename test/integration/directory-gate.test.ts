/**
 * Approver groups come from the worker's directory of people, signed by the administrator key, against a real
 * Temporal dev server, worker and model server: a policy allowing `ml-leads` lets a member of it approve and deploy,
 * refuses someone who only claims the group (by update and by signal), and without a configured directory fails at
 * start, before any work. A directory not signed by the administrator key stops the worker from starting, and one
 * changed after signing fails the next run at start, naming the file and the reason, with nothing deployed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPeopleDirectory } from '@slipway/activities';
import {
  GateRefusal,
  SlipwayErrorType,
  SlipwayMessage,
  failureType,
  rootMessage,
  type GateState,
  type TrainAndPromoteInputRaw,
  type TrainAndPromoteResult,
} from '@slipway/sdk';
import { ClientErrorCode, type SlipwayClientError } from '@slipway/sdk/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { createSlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { failureOf } from '../support/failures.js';
import { createTestPeople, type TestPeople } from '../support/people.js';
import { eventually, waitForGate } from '../support/waits.js';

let files: string;
let people: TestPeople;
let directoryPath: string;
let workflowBundle: { code: string };
let h: Harness;
let bare: Harness;

beforeAll(async () => {
  files = await mkdtemp(join(tmpdir(), 'slipway-people-'));
  // maria [ml-leads], sam [ml-leads, risk], mallory [interns], lee, eve and ci-bot in no group; all with keys.
  // The harness's people sign (the client and the CLI use their keys); its worker trusts their directory.
  workflowBundle = await bundle();
  h = await startHarness({ name: 'directory', workflowBundle });
  people = h.people!;
  directoryPath = people.directoryPath;
  bare = await startHarness({ name: 'no-directory', workflowBundle, directory: false });
});
afterAll(async () => {
  await h?.stop();
  await bare?.stop();
  await rm(files, { recursive: true, force: true });
});

/** The public key of a test person. */
const keyOf = (name: string) => people.keys[name]!.publicKey;

/** The churn pipeline with a policy that allows `lee` by name and the groups `ml-leads` and `risk-board`. */
function groupInput(harness: Harness, modelName: string): TrainAndPromoteInputRaw {
  const input = churnInput({ serverUrl: harness.modelServer.url, modelName });
  return { ...input, approval: { ...input.approval, approvers: ['lee'], approverGroups: ['ml-leads', 'risk-board'] } };
}

describe('approver groups from the directory of people', () => {
  it('resolves the groups when the gate opens; a member approves and the model deploys', async () => {
    const { runId } = await h.client.start('trainAndPromote', groupInput(h, 'dir-groups'));
    const gate = await waitForGate(h.client, runId);
    expect(gate.eligible).toEqual([
      { name: 'lee', named: true, groups: [], publicKey: keyOf('lee') },
      { name: 'maria', named: false, groups: ['ml-leads'], publicKey: keyOf('maria') },
      { name: 'sam', named: false, groups: ['ml-leads'], publicKey: keyOf('sam') },
    ]);
    expect(gate.directoryDigest).toBe((await loadPeopleDirectory(directoryPath)).digest);
    expect(gate.emptyGroups).toEqual(['risk-board']);
    expect(gate.startedBy).toBe('ci-bot');

    const approved = await h.client.approve(runId, { as: 'sam', comment: 'ml-leads member' });
    expect(approved.status).toBe('approved');
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', decisions: [{ approver: 'sam', via: 'update' }] });

    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const scheduled = (history.events ?? []).flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
    expect(scheduled.filter((name) => name === 'slipway.resolveApprovers')).toHaveLength(2);
    // The run's own history replays against the same code.
    await expect(Worker.runReplayHistory({ workflowBundle }, history, runId)).resolves.toBeUndefined();
  });

  it('refuses mallory even when she claims ml-leads, by update and by signal, and keeps the gate open', async () => {
    const { runId } = await h.client.start('trainAndPromote', groupInput(h, 'dir-claims'));
    const gate = await waitForGate(h.client, runId);
    const handle = h.client.temporal.workflow.getHandle(runId);
    const claim = {
      decision: 'approve',
      approver: 'mallory',
      groups: ['ml-leads'],
      evidenceDigest: gate.evidence.digest,
    };

    const byUpdate = await failureOf(
      handle.executeUpdate<GateState, [typeof claim]>(SlipwayMessage.gateDecide, { args: [claim] }),
    );
    expect(failureType(byUpdate)).toBe(GateRefusal.InvalidDecision);
    expect(rootMessage(byUpdate)).toContain('may not declare groups (this one names ml-leads)');
    const plain = (await failureOf(h.client.approve(runId, { as: 'mallory' }))) as SlipwayClientError;
    expect(plain.code).toBe(ClientErrorCode.ApproverNotAllowed);
    expect(plain.message).toContain(
      'mallory is not allowed to approve this promotion (allowed: lee, maria (ml-leads), sam (ml-leads); group risk-board has no member in the directory)',
    );
    const viaClient = (await failureOf(
      h.client.approve(runId, { as: 'mallory', groups: ['ml-leads'] } as never),
    )) as SlipwayClientError;
    expect(viaClient.code).toBe(ClientErrorCode.InvalidDecision);

    await handle.signal(SlipwayMessage.gateDecideSignal, claim);
    const refused = await eventually('the refused signal to be recorded', async () => {
      const g = await h.client.gate(runId);
      return g.refused.some((r) => r.via === 'signal') ? g : undefined;
    });
    expect(refused.status).toBe('pending');
    expect(refused.decisions).toEqual([]);
    // The malformed update (it declares groups) was refused by the validator and left no trace; the plain one
    // by mallory was checked and recorded, and so was the signal.
    expect(refused.refused).toMatchObject([
      { approver: 'mallory', via: 'update', type: GateRefusal.ApproverNotAllowed },
      { approver: 'mallory', via: 'signal', reason: expect.stringContaining('may not declare groups') as string },
    ]);

    // Named by the policy though in none of its groups, lee may still decide.
    const rejected = await h.client.reject(runId, { as: 'lee', comment: 'not now' });
    expect(rejected.status).toBe('rejected');
    expect((await h.client.result<TrainAndPromoteResult>(runId)).status).toBe('rejected');
  });

  it('without a directory, a policy naming groups fails at start, before validate, naming the groups and the setting', async () => {
    const { runId } = await bare.client.start('trainAndPromote', groupInput(bare, 'no-directory'));
    const err = await failureOf(bare.client.result(runId));
    expect(failureType(err)).toBe(SlipwayErrorType.DirectoryNotConfigured);
    const message = rootMessage(err);
    expect(message).toContain('names approver groups (ml-leads, risk-board)');
    expect(message).toContain('set `directory` in slipway.config.json (or SLIPWAY_DIRECTORY)');

    const status = await bare.client.status(runId);
    expect(status.status).toBe('FAILED');
    expect(status.failure).toContain('names approver groups (ml-leads, risk-board)');
    const history = await bare.client.temporal.workflow.getHandle(runId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled, 'nothing but the check ran: no validate, no training').toEqual(['slipway.resolveApprovers']);
    expect(
      events
        .filter((e) => e.activityTaskStartedEventAttributes)
        .map((e) => e.activityTaskStartedEventAttributes?.attempt),
    ).toEqual([1]);
  });
});

describe('a directory not signed by the administrator key', () => {
  it('stops a worker from starting, naming the file and the reason: unsigned, another signer, no key configured', async () => {
    const unsigned = await createTestPeople(join(files, 'unsigned'), undefined, { sign: false });
    const other = await createTestPeople(join(files, 'other'));
    const { directoryAdminKey: _, ...withoutKey } = h.config;
    const cases = [
      { config: { ...h.config, directory: unsigned.directoryPath }, reason: 'the directory is not signed' },
      {
        config: { ...h.config, directory: other.directoryPath },
        reason: `the directory is signed by ${other.adminPublicKey}, not by the configured administrator key ${people.adminPublicKey}`,
      },
      { config: withoutKey, reason: 'no administrator key is configured to check its signature' },
    ];
    const connection = await NativeConnection.connect({ address: h.config.temporal.address });
    try {
      for (const { config, reason } of cases) {
        const path = config.directory!;
        await expect(createSlipwayWorker({ config, connection, workflowBundle }), reason).rejects.toThrow(
          `the configured directory ${path} cannot be used: ${path}: ${reason}`,
        );
      }
    } finally {
      await connection.close();
    }
  });

  it('changed after signing, fails the next run at start naming the file and the reason; nothing else runs', async () => {
    const signed = await readFile(directoryPath, 'utf8');
    // mallory moves herself into ml-leads without the administrator.
    const tampered = signed.replace('"interns"', '"ml-leads"');
    expect(tampered).not.toBe(signed);
    await writeFile(directoryPath, tampered);
    try {
      const { runId } = await h.client.start('trainAndPromote', groupInput(h, 'dir-tampered'));
      const err = await failureOf(h.client.result(runId));
      expect(failureType(err)).toBe(SlipwayErrorType.InvalidDirectory);
      expect(rootMessage(err)).toBe(
        `${directoryPath}: the directory signature does not verify: the file was changed after it was signed, or the signature is forged`,
      );
      const events = (await h.client.temporal.workflow.getHandle(runId).fetchHistory()).events ?? [];
      const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      expect(scheduled, 'nothing but the check ran: no validate, no training, no deploy').toEqual([
        'slipway.resolveApprovers',
      ]);
      expect(
        events
          .filter((e) => e.activityTaskStartedEventAttributes)
          .map((e) => e.activityTaskStartedEventAttributes?.attempt),
        'refused once, not retried',
      ).toEqual([1]);
    } finally {
      await writeFile(directoryPath, signed);
    }
  });
});
