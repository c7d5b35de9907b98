/**
 * Escalation, notifications, the listing memo and service-signed decisions at one real gate (Temporal dev server,
 * worker, model server, a live webhook receiver checking each delivery's signature). The policy needs two approvals
 * from `ml-leads` and escalates to `risk` after a few seconds: rita (risk only) is refused before the escalation;
 * the approvals page's service signs maria's approval (it is trusted for her) and is refused for sam (it is not);
 * once the receiver hears `gate_escalated`, rita's approval closes the gate, `gate_decided` follows, the run deploys
 * (its acting activities accept the proof) and `listGates` shows the gate pending, then closed, from the memo. A
 * second receiver is down: its copies are dead-lettered and hold nothing up.
 */
import { GateRefusal, type TrainAndPromoteResult } from '@slipway/sdk';
import { ClientErrorCode } from '@slipway/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { clientError } from '../support/failures.js';
import { startHarness, type Harness } from '../support/harness.js';
import { DEFAULT_TEST_PEOPLE } from '../support/people.js';
import { machineValues, recordFixture } from '../support/record-history.js';
import { eventually, waitForGate } from '../support/waits.js';
import {
  downReceiverUrl,
  startWebhookReceiver,
  writeSecretFile,
  type WebhookReceiver,
} from '../support/webhook-receiver.js';
import { notificationDeadLetterPath } from '../../packages/worker/src/config/index.js';
import { readFile } from 'node:fs/promises';
import { LATEST_PATCH_GENERATION, PATCH_GENERATION_2_IDS } from '../../packages/sdk/src/workflow/patches.js';

const MODEL = 'escalated-churn';
const SECRET = 'gate-escalation-shared-secret-41d9';
const SERVICE = 'approvals-page';

let h: Harness;
let receiver: WebhookReceiver;
let secret: Awaited<ReturnType<typeof writeSecretFile>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  // A receiver that is down: its copies of the gate's notices are dead-lettered, and the gate goes on.
  const downUrl = await downReceiverUrl('/hooks/down');
  secret = await writeSecretFile(SECRET);
  const retry = { attempts: 2, initialMs: 1, maxMs: 2 };
  h = await startHarness({
    name: 'gate-escalation',
    people: { ...DEFAULT_TEST_PEOPLE, rita: ['risk'] },
    services: { [SERVICE]: { people: ['maria'] } },
    config: {
      notifiers: [
        { kind: 'webhook', url: receiver.url('/hooks/gates'), secretFile: secret.file, format: 'json', retry },
        { kind: 'webhook', url: downUrl, secretFile: secret.file, format: 'json', retry },
      ],
    },
  });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await receiver?.close();
  await secret?.remove();
});

/** The delivery of `kind` for run `runId`, once it arrived signed with the shared secret. */
async function notified(runId: string, kind: string): Promise<Record<string, unknown>> {
  const id = `${runId}:1:${kind}`;
  const got = await receiver.delivery(id);
  expect(got.verdict).toEqual({ valid: true });
  const body = JSON.parse(got.body) as Record<string, unknown>;
  expect(body).toMatchObject({ id, kind, model: MODEL, version: 1, runId });
  return body;
}

describe('an approval gate that escalates, notifies, lists itself and takes service-signed decisions', () => {
  it('refuses the escalation group before it escalates, then lets it close the gate', async () => {
    const base = churnInput({ serverUrl: h.modelServer.url, modelName: MODEL });
    const approval = {
      approverGroups: ['ml-leads'],
      quorum: 2,
      timeout: '10m',
      // Long enough for the refusals and the page's approval below to reach the gate before it escalates.
      escalateAfter: '20s',
      escalateTo: ['risk'],
    };
    const { runId } = await h.client.start('trainAndPromote', { ...base, approval });
    const gate = await waitForGate(h.client, runId);
    const evidenceDigest = gate.evidence.digest;

    // Before the escalation: rita (risk only) may not decide.
    const early = await clientError(h.client.approve(runId, { as: 'rita' }));
    expect(early.code).toBe(ClientErrorCode.ApproverNotAllowed);
    expect(early.message).toContain('the members of risk may decide once the gate escalates');

    // The page's service signs for maria (trusted) but not for sam (not trusted for him).
    const service = { name: SERVICE, privateKey: h.people!.keys[SERVICE]!.privateKey };
    const refused = await clientError(
      h.client.decideAsService(runId, 'approve', { approver: 'sam', evidenceDigest, service }),
    );
    expect(refused.code).toBe(ClientErrorCode.BadSignature);
    expect(refused.message).toContain(`does not trust ${SERVICE} to sign for sam`);
    const byPage = await h.client.decideAsService(runId, 'approve', {
      approver: 'maria',
      comment: 'approved on the page',
      evidenceDigest,
      service,
    });
    expect(byPage.status).toBe('pending');
    expect(byPage.decisions).toEqual([expect.objectContaining({ approver: 'maria', signedBy: SERVICE })]);
    expect(byPage.refused).toEqual(
      expect.arrayContaining([expect.objectContaining({ approver: 'sam', type: GateRefusal.BadSignature })]),
    );

    const opened = await notified(runId, 'gate_opened');
    expect(opened.details).toMatchObject({ evidenceDigest, deadline: gate.deadline, escalateTo: ['risk'] });
    const pending = await eventually('the gate listed pending with one approval', async () => {
      const list = await h.client.listGates({ status: 'pending', model: MODEL });
      const entry = list.find((e) => e.runId === runId);
      return entry?.listing?.approvals === 1 ? entry : undefined;
    });
    expect(pending.listing).toMatchObject({ status: 'pending', model: MODEL, version: 1, evidenceDigest, quorum: 2 });
    // The listing carries the gate's nonce: a client signs a decision from the run's description, without a query.
    expect(pending.listing?.nonce).toBe(gate.nonce);

    // Nobody closed it in time: it escalates to risk, and rita's approval closes it.
    const escalated = await notified(runId, 'gate_escalated');
    expect(escalated.details).toMatchObject({ escalatedTo: ['rita'] });
    const closed = await h.client.approve(runId, { as: 'rita', comment: 'risk signs off' });
    expect(closed.status).toBe('approved');
    expect(closed.escalatedAt).toBeDefined();
    expect(closed.eligible).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'rita', escalated: true })]),
    );

    const decided = await notified(runId, 'gate_decided');
    expect(decided.summary).toContain(`${MODEL} v1: approved (approve by maria (via ${SERVICE}), approve by rita)`);
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', deployment: { version: 1 } });
    // The down receiver held nothing up: each of its notices is in the dead-letter log instead.
    const deadLettered = await eventually("the down receiver's notices dead-lettered", async () => {
      const log = await readFile(notificationDeadLetterPath(h.config), 'utf8').catch(() => '');
      const ids = log
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => String((JSON.parse(line) as { event: { id: string } }).event.id));
      return ids.includes(`${runId}:1:gate_decided`) ? ids : undefined;
    });
    for (const kind of ['gate_opened', 'gate_escalated', 'gate_decided']) {
      expect(deadLettered).toContain(`${runId}:1:${kind}`);
    }

    const listedClosed = await eventually('the gate listed closed', async () => {
      const list = await h.client.listGates({ status: 'closed', model: MODEL });
      return list.find((e) => e.runId === runId && e.listing?.status === 'approved');
    });
    expect(listedClosed.listing).toMatchObject({ approvals: 2, escalateTo: ['risk'], closedAt: closed.closedAt });
    expect(listedClosed.listing?.escalatedAt).toBe(closed.escalatedAt);
    expect(await h.client.listGates({ status: 'pending', model: MODEL })).toEqual([]);

    // The run as a replay fixture: its patch generation's marker (standing for the gate's listing, notify and
    // escalation patches), the escalation's step and the notices replay as they ran; the run started with its
    // model's search attribute and upserted it no more. The fixtures of the same run recorded with generation 1's
    // marker, and before patch generations with one marker per patch, replay too.
    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const fixture = await recordFixture(h, history, 'train-and-promote-escalated-deployed-generation-2.json');
    for (const machine of machineValues(h)) expect(fixture.json, machine).not.toContain(machine);
    const markers = (fixture.history.events ?? []).flatMap((e) =>
      Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) =>
        (d.payloads ?? []).map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')),
      ),
    );
    expect(markers.map((m) => (JSON.parse(m) as { id: string }).id)).toEqual([LATEST_PATCH_GENERATION]);
    const upserted = (fixture.history.events ?? []).flatMap((e) =>
      Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
    );
    expect(upserted).not.toContain('SlipwayModel');
    expect(
      fixture.history.events?.[0]?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields,
    ).toHaveProperty('SlipwayModel');
    for (const patch of ['slipway.gate.listing-memo', 'slipway.gate.notify', 'slipway.gate.escalation']) {
      expect(PATCH_GENERATION_2_IDS.has(patch), patch).toBe(true);
    }
  }, 300_000);
});
