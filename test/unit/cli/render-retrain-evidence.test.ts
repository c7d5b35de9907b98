/**
 * The evidence `slipway approve` and `slipway status` show for a retrain started by the model guardian: the drift
 * summary and the drift report's digest and location, next to the usual digests; a packet without `retrain` shows
 * none of it.
 */
import { stripVTControlCharacters } from 'node:util';
import type { EvidencePacket, GateState } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import { renderEvidence } from '../../../packages/worker/src/cli/render.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const ref = (c: string, name: string) => ({ uri: `file:///art/${name}`, digest: digest(c), size: 10 });
const packet: EvidencePacket = {
  model: 'churn',
  candidate: { version: 2, metrics: { auc: 0.8 } },
  champion: { version: 1, metrics: { auc: 0.79 } },
  datasetUri: 'file:///data/fresh.csv',
  datasetDigest: digest('1'),
  validationReportDigest: digest('2'),
  codeVersion: 'git:abc',
  digest: digest('3'),
};
const retrain = {
  guardian: 'guardian:churn',
  checkId: 'guardian:churn/check-4',
  driftReport: ref('4', 'report.json'),
  driftPage: ref('5', 'page.html'),
  servingProfile: ref('6', 'profile.json'),
  summary: 'retrain after guardian:churn/check-4: 2 features drifted (tenure, charges)',
};

function gate(evidence: EvidencePacket): GateState {
  return {
    status: 'pending',
    model: 'churn',
    version: 2,
    evidence,
    approvers: ['maria'],
    approverGroups: [],
    eligible: [{ name: 'maria', named: true, groups: [] }],
    directoryDigest: null,
    emptyGroups: [],
    quorum: 1,
    openedAt: '2026-12-01T00:00:00.000Z',
    deadline: '2026-12-08T00:00:00.000Z',
    decisions: [],
    refused: [],
  };
}

describe('the evidence of a retrain', () => {
  it('shows the drift summary, the drift report and its page', () => {
    const text = stripVTControlCharacters(renderEvidence(gate({ ...packet, retrain })));
    expect(text).toContain(retrain.summary);
    expect(text).toContain(`drift    ${digest('4')} (file:///art/report.json)`);
    expect(text).toContain('page     file:///art/page.html');
  });

  it('shows no drift for an ordinary run', () => {
    expect(stripVTControlCharacters(renderEvidence(gate(packet)))).not.toContain('drift');
  });
});
