/**
 * A retrain started by the model guardian on drifted data (issue 13, item 4), on a real worker, dev server, model
 * server and webhook receiver: a stand-in guardian (`guardian:<model>`) starts `trainAndPromote` as its child
 * `retrain:<model>` with the `retrain` trigger of a check whose serving window drifted. The run's distribution checks
 * compare the fresh data with that serving window (the champion's training data would fail them) and its validation
 * report says so; the gate's evidence carries the drift report and its summary; the configured receiver gets a
 * signed `gate_opened`; approved, the retrain deploys.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  RowSchema,
  SlipwayErrorType,
  TrainAndPromoteInput,
  failureType,
  rootMessage,
  type RetrainTrigger,
  type SignedStart,
  type TrainAndPromoteResult,
  type ApprovalProof,
} from '@slipway/sdk';
import { validateInput } from '@slipway/sdk/workflow';
import { createValidateActivity } from '../../packages/activities/src/steps/validate.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { profileRows, type ValidationReport } from '../../packages/activities/src/data/index.js';
import type { ArtifactStore, TypedRow } from '../../packages/activities/src/index.js';
import { signStart, loadKey } from '../../packages/sdk/src/client/signing.js';
import { openConfiguredArtifacts, openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { DATA_DIR, churnInput } from '../../examples/churn/src/input.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { activityInputOf } from '../support/start-input.js';
import { waitForGate } from '../support/waits.js';
import { startWebhookReceiver, writeSecretFile, type WebhookReceiver } from '../support/webhook-receiver.js';

const MODEL = 'churn-retrain';
const SECRET = 'retrain-gate-secret-7c21';
const CHECK = `guardian:${MODEL}/check-4`;

let h: Harness;
let artifacts: ArtifactStore;
let receiver: WebhookReceiver;
let secret: Awaited<ReturnType<typeof writeSecretFile>>;

/** The churn rows with the drift the served traffic shows: longer tenures, higher charges. */
async function driftedRows(): Promise<{ header: string; lines: string[]; rows: TypedRow[] }> {
  const [header = '', ...lines] = (await readFile(join(DATA_DIR, 'churn.csv'), 'utf8')).trim().split('\n');
  const shifted = lines.map((line) => {
    const [id, tenure, charges, ...rest] = line.split(',');
    return [id, Math.min(120, Number(tenure) + 30), (Number(charges) * 1.7).toFixed(2), ...rest].join(',');
  });
  const rows = shifted.map((line) => {
    const [id, tenure, charges, calls, plan, contract, paperless] = line.split(',');
    return {
      customer_id: id ?? '',
      tenure_months: Number(tenure),
      monthly_charges: Number(charges),
      support_calls: Number(calls),
      plan: plan ?? '',
      contract: contract ?? '',
      paperless: paperless === 'true',
    };
  });
  return { header, lines: shifted, rows };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  const url = receiver.url('/hooks/slipway');
  secret = await writeSecretFile(SECRET);
  const secretFile = secret.file;
  h = await startHarness({
    name: 'retrain-drifted',
    workflowBundle: await bundle(join(import.meta.dirname, 'retrain', 'workflows.ts')),
    config: { notifiers: [{ kind: 'webhook', url, secretFile, format: 'json' }] },
  });
  artifacts = openConfiguredArtifacts(h.config);
}, 180_000);

afterAll(async () => {
  await h?.stop();
  await receiver?.close();
  await secret?.remove();
});

it('validates against the drifted serving window, carries the drift in its evidence, notifies the gate', async () => {
  // The champion, trained on the original data.
  const first = await h.client.start('trainAndPromote', churnInput({ serverUrl: h.modelServer.url, modelName: MODEL }));
  await waitForGate(h.client, first.runId);
  await h.client.approve(first.runId, { as: 'maria', comment: 'first champion' });
  expect((await h.client.result<TrainAndPromoteResult>(first.runId)).status).toBe('deployed');

  // What the guardian's check stored: the served window's profile, the drift report and its page.
  const drifted = await driftedRows();
  const base = churnInput({ serverUrl: h.modelServer.url, modelName: MODEL });
  const { churned: _target, ...servedColumns } = RowSchema.parse(base.expectations?.schema).columns;
  const servedSchema = RowSchema.parse({ columns: servedColumns });
  const trigger: RetrainTrigger = {
    guardian: `guardian:${MODEL}`,
    checkId: CHECK,
    servingProfile: await artifacts.putJson(profileRows(servedSchema, drifted.rows.slice(0, 1200))),
    driftReport: await artifacts.putJson({
      model: MODEL,
      checkId: CHECK,
      samples: 1200,
      drifted: true,
      driftShare: 0.33,
      driftedFeatures: ['tenure_months', 'monthly_charges'],
    }),
    driftPage: await artifacts.putBytes(new TextEncoder().encode('<html>tenure, charges</html>'), {
      mediaType: 'text/html',
    }),
  };
  // The fresh training data the template resolved to: drifted like the served window.
  const fresh = join(h.data, 'churn-fresh.csv');
  const freshText = [drifted.header, ...drifted.lines].join('\n') + '\n';
  await writeFile(fresh, freshText);
  // Resolved and pinned when the retrain starts: the run reads exactly these bytes.
  trigger.datasetDigest = `sha256:${createHash('sha256').update(freshText).digest('hex')}`;
  // The retrain carries its guardian's signed start (ci-bot started the guardian, whose signed input holds the
  // retrain's approval policy), not one of its own.
  const keysDir = h.people?.keysDir;
  const keyOf = (name: string) => loadKey(name, keysDir ? { keysDir } : undefined);
  const { start: _none, startedBy: _who, ...retrainSettings } = base;
  const { start: guardianSignature, ...guardianSigned } = await signStart(
    {
      pipeline: 'modelGuardian',
      runId: `guardian:${MODEL}`,
      input: { model: MODEL, every: '1h', retrain: { input: retrainSettings } },
      signer: 'ci-bot',
    },
    keyOf,
  );
  trigger.guardianStart = { start: guardianSignature as SignedStart, input: guardianSigned };
  const retrainInput = {
    ...base,
    dataset: { uri: pathToFileURL(fresh).href, format: 'csv' },
    retrain: trigger,
    startedBy: 'ci-bot',
  };
  // Against the champion's (v1) training data, as the expectation set names it, this data fails (the Why case).
  const registry = openConfiguredRegistry(h.config);
  try {
    const validate = createValidateActivity({ artifacts, registry });
    const failure = await validate(validateInput(TrainAndPromoteInput.parse(retrainInput))).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.ValidationFailed);
    expect(rootMessage(failure)).toContain('distribution(tenure_months)');
  } finally {
    await registry.close();
  }
  const child = retrainInput;
  const guardian = await h.client.start('guardianStandIn', { model: MODEL, child }, { runId: `guardian:${MODEL}` });

  const gate = await waitForGate(h.client, `retrain:${MODEL}`);
  expect(gate.version).toBe(2);
  expect(gate.evidence.retrain).toMatchObject({
    guardian: `guardian:${MODEL}`,
    checkId: CHECK,
    driftReport: trigger.driftReport,
    summary: expect.stringContaining('2 features drifted (tenure_months, monthly_charges)') as unknown,
  });
  const opened = await receiver.delivery(`retrain:${MODEL}:2:gate_opened`);
  expect(opened.verdict).toEqual({ valid: true });
  const notice = JSON.parse(opened.body) as Record<string, unknown>;
  expect(notice).toMatchObject({
    kind: 'gate_opened',
    model: MODEL,
    version: 2,
    runId: `retrain:${MODEL}`,
    details: { evidenceDigest: gate.evidence.digest, driftReportDigest: trigger.driftReport.digest },
  });

  await h.client.approve(`retrain:${MODEL}`, { as: 'maria', comment: 'retrained on what is served now' });
  const result = await h.client.result<TrainAndPromoteResult>(guardian.runId);
  expect(result.status).toBe('deployed');
  // The deploy's proof carries the retrains' policy the guardian's starter signed, not the guardian's input.
  const { proof } = (await activityInputOf(h.client, `retrain:${MODEL}`, 'slipway.deploy')) as { proof: ApprovalProof };
  expect(proof.startInput).toBeUndefined();
  expect(proof.signedPolicy).toEqual(retrainSettings.approval);
  expect(proof.start).toMatchObject({
    pipeline: 'modelGuardian',
    policyDigest: (guardianSignature as SignedStart).policyDigest,
  });
  expect(result.dataset.digest).toBe(trigger.datasetDigest);
  const report = await artifacts.getJson<ValidationReport>(result.validationReport);
  expect(report.reference?.source).toContain(`the serving window of guardian:${MODEL} check ${CHECK}`);
  expect(report.reference?.replaced).toBe(`${MODEL}@champion training data`);
  expect(report.checks.filter((c) => c.expect === 'distribution' && !c.passed)).toEqual([]);
  // Once: a gate notification per retrain version.
  expect(receiver.received.filter((r) => r.id === `retrain:${MODEL}:2:gate_opened`)).toHaveLength(1);
}, 300_000);
