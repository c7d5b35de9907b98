/**
 * The rules for an operator's command to a running rollout: signed by one of the approval policy's approvers, for
 * this rollout (workflow id and nonce), recently, while the rollout still takes commands. Every refusal is here.
 */
import {
  RolloutRefusal,
  SigningDomain,
  checkRolloutCommand,
  generateKeyPair,
  rolloutCommandPayload,
  signPayload,
  type ResolvedApprover,
  type RolloutCommandRequest,
  type RolloutState,
} from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const maria = generateKeyPair();
const lee = generateKeyPair();
const WORKFLOW_ID = 'rollout:churn';
const STARTED = Date.parse('2026-12-02T10:00:00.000Z');
const NOW = STARTED + 60 * 60_000;

const operators: ResolvedApprover[] = [
  { name: 'maria', named: true, groups: [], publicKey: maria.publicKey },
  { name: 'sam', named: true, groups: [] },
];

function state(over: Partial<RolloutState> = {}): Pick<RolloutState, 'phase' | 'pausedBy' | 'nonce' | 'startedAt'> {
  return {
    phase: 'baking',
    pausedBy: null,
    nonce: 'nonce-of-this-rollout-0001',
    startedAt: new Date(STARTED).toISOString(),
    ...over,
  };
}

function signed(
  over: Partial<RolloutCommandRequest> = {},
  opts: { key?: string; workflowId?: string; nonce?: string; atMs?: number } = {},
): RolloutCommandRequest {
  const request = { command: 'pause' as const, operator: 'maria', reason: 'error budget review', ...over };
  const at = new Date(opts.atMs ?? NOW - 1000).toISOString();
  const payload = rolloutCommandPayload(
    { workflowId: opts.workflowId ?? WORKFLOW_ID, nonce: opts.nonce ?? state().nonce },
    { ...request, at },
  );
  return {
    ...request,
    at,
    signature: signPayload(SigningDomain.rolloutCommand, opts.key ?? maria.privateKey, payload),
  };
}

function refusal(raw: unknown, s = state(), ops: ResolvedApprover[] | null = operators) {
  const check = checkRolloutCommand(s, WORKFLOW_ID, raw, ops, NOW);
  if (check.ok) throw new Error('expected a refusal');
  return check.refusal;
}

describe('rollout commands', () => {
  it("accepts each command signed by one of the policy's approvers for this rollout", () => {
    for (const command of ['pause', 'promote', 'abort'] as const) {
      const check = checkRolloutCommand(state(), WORKFLOW_ID, signed({ command }), operators, NOW);
      expect(check.ok, command).toBe(true);
    }
    const resume = checkRolloutCommand(
      state({ pausedBy: 'maria: review' }),
      WORKFLOW_ID,
      signed({ command: 'resume' }),
      operators,
      NOW,
    );
    expect(resume).toMatchObject({ ok: true, request: { command: 'resume', operator: 'maria' } });
  });

  it('refuses an outsider, naming who may command', () => {
    const r = refusal(signed({ operator: 'lee' }, { key: lee.privateKey }));
    expect(r.type).toBe(RolloutRefusal.OperatorNotAllowed);
    expect(r.message).toContain('lee may not command this rollout');
    expect(r.message).toContain('maria, sam');
  });

  it('refuses an approver with no key in the directory, and everyone before operators are resolved', () => {
    const sam = refusal(signed({ operator: 'sam' }));
    expect(sam).toMatchObject({ type: RolloutRefusal.OperatorNotAllowed });
    expect(sam.message).toContain('no public key');
    expect(refusal(signed(), state(), null).type).toBe(RolloutRefusal.OperatorNotAllowed);
  });

  it('refuses an unsigned command and one signed with another key', () => {
    const { signature: _s, at: _a, ...unsigned } = signed();
    expect(refusal(unsigned).type).toBe(RolloutRefusal.UnsignedCommand);
    expect(refusal(signed({}, { key: lee.privateKey })).type).toBe(RolloutRefusal.BadSignature);
  });

  it('refuses a command signed for another rollout (another nonce or workflow id) or altered after signing', () => {
    expect(refusal(signed({}, { nonce: 'nonce-of-another-rollout-01' })).type).toBe(RolloutRefusal.BadSignature);
    expect(refusal(signed({}, { workflowId: 'rollout:other' })).type).toBe(RolloutRefusal.BadSignature);
    const altered = { ...signed({ command: 'pause' }), command: 'abort' as const };
    expect(refusal(altered).type).toBe(RolloutRefusal.BadSignature);
  });

  it('refuses a command signed too long ago, before the rollout started, or in the future', () => {
    expect(refusal(signed({}, { atMs: NOW - 16 * 60_000 })).message).toContain('more than 15 minutes');
    expect(refusal(signed({}, { atMs: STARTED - 6 * 60_000 })).message).toContain('before this rollout started');
    expect(refusal(signed({}, { atMs: NOW + 6 * 60_000 })).message).toContain('in the future');
  });

  it('refuses commands that do not apply now, and any command once the rollout is closing or closed', () => {
    expect(refusal(signed({ command: 'resume' })).type).toBe(RolloutRefusal.CommandNotApplicable);
    expect(refusal(signed(), state({ pausedBy: 'maria: look' })).type).toBe(RolloutRefusal.CommandNotApplicable);
    for (const phase of ['promoting', 'draining', 'compensating', 'promoted', 'rolled_back'] as const) {
      expect(refusal(signed({ command: 'abort' }), state({ phase })).type, phase).toBe(RolloutRefusal.RolloutClosed);
    }
  });

  it('refuses an early promotion by whoever started the approving run, unless the policy allows self-approval', () => {
    const started = { startedBy: 'maria', allowSelfApproval: false };
    const promote = checkRolloutCommand(state(), WORKFLOW_ID, signed({ command: 'promote' }), operators, NOW, started);
    expect(promote).toMatchObject({ ok: false, refusal: { type: RolloutRefusal.OperatorNotAllowed } });
    if (!promote.ok) expect(promote.refusal.message).toContain('maria started the run');
    const abort = checkRolloutCommand(state(), WORKFLOW_ID, signed({ command: 'abort' }), operators, NOW, started);
    expect(abort.ok).toBe(true);
    const allowed = { startedBy: 'maria', allowSelfApproval: true };
    expect(checkRolloutCommand(state(), WORKFLOW_ID, signed({ command: 'promote' }), operators, NOW, allowed).ok).toBe(
      true,
    );
  });

  it('refuses a malformed command, naming the field', () => {
    const r = refusal({ command: 'explode', operator: 'maria', reason: 'x' });
    expect(r.type).toBe(RolloutRefusal.InvalidCommand);
    expect(r.message).toContain('command');
    expect(refusal({ command: 'pause', operator: 'maria', reason: '' }).message).toContain('reason');
  });
});
