/**
 * The guardian's audit lines: one signed, hash-chained `guardian` line per decision, once under retry, which the
 * trail verifies and does not count as a pending registry mutation; a worker without an audit log refuses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../../packages/activities/src/audit/index.js';
import { createGuardRecordActivity } from '../../../packages/activities/src/steps/guard-record.js';
import { openAuditedHome, writeDemoHistory } from '../audit/audit-fixtures.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-guard-record-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const decision = {
  decisionId: 'guardian:churn/check-3:retrain_started',
  guardian: 'guardian:churn',
  model: 'churn',
  version: 1,
  kind: 'retrain_started' as const,
  checkId: 'guardian:churn/check-3',
  reason: 'drift: 3 of 3 drifted checks in a row; retraining',
  details: { retrain: 'retrain:churn', consecutive: 0 },
};

describe('slipway.guard-record', () => {
  it('appends one guardian line per decision, once under retry, and the trail still verifies', async () => {
    const { registry, log } = openAuditedHome(home);
    await writeDemoHistory(registry);
    const before = (await log.entries()).length;
    const record = createGuardRecordActivity({ auditLog: log, registry });
    const first = await record(decision);
    const again = await record(decision);
    expect(first).toEqual({ seq: before + 1, appended: true });
    expect(again).toEqual({ seq: before + 1, appended: false });
    const other = await record({
      ...decision,
      decisionId: 'guardian:churn/check-4:no_verdict',
      kind: 'no_verdict',
      version: undefined,
    });
    expect(other.seq).toBe(before + 2);
    const entries = await log.entries();
    expect(entries).toHaveLength(before + 2);
    expect(entries[before]).toMatchObject({
      kind: 'guardian',
      model: 'churn',
      version: 1,
      actor: 'guardian:churn',
      data: {
        decision: 'retrain_started',
        checkId: decision.checkId,
        reason: decision.reason,
        details: decision.details,
      },
    });
    // Signed and chained like every line; not a registry mutation, so nothing is pending.
    const verified = await verifyAuditLog(log.path, registry);
    expect(verified).toMatchObject({ ok: true, pending: [] });
  });

  it("registers the log's key with the registry first: a log whose first line is a guardian line verifies", async () => {
    const { registry, log } = openAuditedHome(home);
    await createGuardRecordActivity({ auditLog: log, registry })(decision);
    expect(await verifyAuditLog(log.path, registry)).toMatchObject({ ok: true, entries: 1, pending: [] });
  });

  it('refuses (final) on a worker without an audit log: a decision is never silently unrecorded', async () => {
    const record = createGuardRecordActivity({ registry: openAuditedHome(home).registry });
    await expect(record(decision)).rejects.toMatchObject({
      type: 'SlipwayInvalidInput',
      nonRetryable: true,
      message: expect.stringContaining('this worker has no audit log'),
    });
  });
});
