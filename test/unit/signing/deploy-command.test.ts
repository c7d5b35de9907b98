/**
 * The rules for an operator's `retry` or `abort` to a run whose deploy failed after its approval: the run must be
 * waiting, the command signed by one of the approval policy's approvers, for this run and this wait (workflow id and
 * the wait's nonce), recently. Every refusal is here; the signing is the rollout commands' own (one code path).
 */
import {
  DeployRefusal,
  SigningDomain,
  checkDeployCommand,
  generateKeyPair,
  operatorCommandPayload,
  rolloutCommandPayload,
  signPayload,
  type DeployCommandRequest,
  type DeployWaitState,
  type ResolvedApprover,
} from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const maria = generateKeyPair();
const lee = generateKeyPair();
const WORKFLOW_ID = 'promote-churn-v2';
const SINCE = Date.parse('2026-12-02T10:00:00.000Z');
const NOW = SINCE + 5 * 60_000;

const operators: ResolvedApprover[] = [
  { name: 'maria', named: true, groups: [], publicKey: maria.publicKey },
  { name: 'sam', named: true, groups: [] },
];

type Wait = Pick<DeployWaitState, 'phase' | 'nonce' | 'since'>;

function wait(over: Partial<Wait> = {}): Wait {
  return { phase: 'waiting', nonce: 'nonce-of-this-wait-000001', since: new Date(SINCE).toISOString(), ...over };
}

function signed(
  over: Partial<DeployCommandRequest> = {},
  opts: { key?: string; workflowId?: string; nonce?: string; atMs?: number; domain?: SigningDomain } = {},
): DeployCommandRequest {
  const request = { command: 'retry' as const, operator: 'maria', reason: 'the model server is back', ...over };
  const at = new Date(opts.atMs ?? NOW - 1000).toISOString();
  const target = {
    kind: 'deploy' as const,
    workflowId: opts.workflowId ?? WORKFLOW_ID,
    nonce: opts.nonce ?? wait().nonce,
  };
  const payload = operatorCommandPayload(target, { ...request, at });
  const domain = opts.domain ?? SigningDomain.deployCommand;
  return { ...request, at, signature: signPayload(domain, opts.key ?? maria.privateKey, payload) };
}

function refusal(raw: unknown, w: Wait | null = wait()) {
  const check = checkDeployCommand(w, WORKFLOW_ID, raw, operators, NOW);
  if (check.ok) throw new Error('expected a refusal');
  return check.refusal;
}

describe('deploy commands', () => {
  it("accepts retry and abort signed by one of the policy's approvers for this wait", () => {
    for (const command of ['retry', 'abort'] as const) {
      const check = checkDeployCommand(wait(), WORKFLOW_ID, signed({ command }), operators, NOW);
      expect(check, command).toMatchObject({ ok: true, request: { command, operator: 'maria' } });
    }
  });

  it('refuses while the run is not waiting: its deploy has not failed, or a command was already accepted', () => {
    const none = refusal(signed(), null);
    expect(none.type).toBe(DeployRefusal.NotWaiting);
    expect(none.message).toContain('its deploy has not failed');
    const retrying = refusal(signed(), wait({ phase: 'retrying' }));
    expect(retrying.type).toBe(DeployRefusal.NotWaiting);
    expect(retrying.message).toContain('its deploy is retrying');
  });

  it('refuses an outsider, naming who may command', () => {
    const r = refusal(signed({ operator: 'lee' }, { key: lee.privateKey }));
    expect(r.type).toBe(DeployRefusal.OperatorNotAllowed);
    expect(r.message).toBe(
      "lee may not command this run's deploy: only the approval policy's approvers may (maria, sam)",
    );
  });

  it('refuses an approver without a key in the directory', () => {
    const r = refusal(signed({ operator: 'sam' }));
    expect(r.type).toBe(DeployRefusal.OperatorNotAllowed);
    expect(r.message).toContain('sam has no public key in the directory of people');
  });

  it('refuses an unsigned command', () => {
    const r = refusal({ command: 'abort', operator: 'maria', reason: 'give up' });
    expect(r.type).toBe(DeployRefusal.UnsignedCommand);
    expect(r.message).toContain("a run's deploy accepts only commands signed with the operator's key");
  });

  it('refuses a malformed command, naming the field', () => {
    const r = refusal({ command: 'promote', operator: 'maria', reason: 'x' });
    expect(r.type).toBe(DeployRefusal.InvalidCommand);
    expect(r.message).toContain('command');
    expect(refusal({ command: 'retry', operator: 'maria', reason: '' }).message).toContain('reason');
  });

  it("refuses maria's command signed with lee's key, or altered after signing", () => {
    expect(refusal(signed({}, { key: lee.privateKey })).type).toBe(DeployRefusal.BadSignature);
    const altered = { ...signed({ command: 'retry' }), command: 'abort' as const };
    expect(refusal(altered).type).toBe(DeployRefusal.BadSignature);
  });

  it('refuses a command signed for another run, or for an earlier wait of this run (another nonce)', () => {
    expect(refusal(signed({}, { workflowId: 'another-run' })).message).toContain("made for another run's deploy");
    expect(refusal(signed({}, { nonce: 'nonce-of-an-earlier-wait-01' })).type).toBe(DeployRefusal.BadSignature);
  });

  it('refuses a rollout command replayed as a deploy command (another signing domain)', () => {
    const request = { command: 'abort' as const, operator: 'maria', reason: 'stop' };
    const at = new Date(NOW - 1000).toISOString();
    const payload = rolloutCommandPayload({ workflowId: WORKFLOW_ID, nonce: wait().nonce }, { ...request, at });
    const replayed = {
      ...request,
      at,
      signature: signPayload(SigningDomain.rolloutCommand, maria.privateKey, payload),
    };
    expect(refusal(replayed).type).toBe(DeployRefusal.BadSignature);
  });

  it('refuses a command signed before the wait began, or in the future', () => {
    const before = refusal(signed({}, { atMs: SINCE - 10 * 60_000 }));
    expect(before.type).toBe(DeployRefusal.BadSignature);
    expect(before.message).toContain("signed before this run's deploy began waiting");
    expect(refusal(signed({}, { atMs: NOW + 10 * 60_000 })).message).toContain('in the future');
  });
});
