/** `slipway status` of a run whose deploy failed after its approval: why it waits, who may answer, and how. */
import { stripVTControlCharacters } from 'node:util';
import type { DeployWaitState } from '@slipway/sdk';
import type { RunStatus } from '@slipway/sdk/client';
import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../../packages/worker/src/cli/render.js';

const wait: DeployWaitState = {
  phase: 'waiting',
  model: 'churn',
  version: 2,
  failures: [{ at: '2026-12-02T10:00:00.000Z', reason: 'connect ECONNREFUSED 127.0.0.1:8765' }],
  nonce: 'nonce-of-this-wait-000001',
  since: '2026-12-02T10:00:00.000Z',
  operators: ['maria', 'lee'],
  commands: [],
};

function status(deployWait: DeployWaitState): RunStatus {
  return {
    runId: 'promote-churn',
    pipeline: 'trainAndPromote',
    status: 'RUNNING',
    startTime: new Date('2026-12-02T09:00:00.000Z'),
    progress: {
      pipeline: 'trainAndPromote',
      model: 'churn',
      steps: [{ step: 'deploy', status: 'running', summary: 'waiting for an operator: deploy failed (…)' }],
      gate: null,
      deployWait,
    },
  };
}

describe('slipway status of a run waiting for an operator', () => {
  it('says why it waits, who may answer and the commands', () => {
    const text = stripVTControlCharacters(renderStatus(status(wait)));
    expect(text).toContain('waiting for an operator: deploy failed (connect ECONNREFUSED 127.0.0.1:8765)');
    expect(text).toContain('decide with (maria, lee may):');
    expect(text).toContain('slipway deploy retry promote-churn --as <name> --reason "<why>"');
    expect(text).toContain('slipway deploy abort promote-churn --as <name> --reason "<why>"');
  });

  it('shows no commands once a retry was accepted', () => {
    const text = stripVTControlCharacters(renderStatus(status({ ...wait, phase: 'retrying' })));
    expect(text).not.toContain('slipway deploy retry');
  });
});
