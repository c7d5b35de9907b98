/**
 * The rules for an operator's pause, resume or stop to a model guardian: signed by one of the retrain policy's
 * approvers (resolved from the directory, with their keys), for this guardian (workflow id and the nonce it
 * published), recently. Every refusal is here.
 */
import {
  GuardianRefusal,
  SigningDomain,
  checkGuardianCommand,
  generateKeyPair,
  operatorCommandPayload,
  signPayload,
  type GuardianCommandRequest,
  type ResolvedApprover,
} from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const maria = generateKeyPair();
const lee = generateKeyPair();
const WORKFLOW_ID = 'guardian:churn';
const SINCE = Date.parse('2026-12-02T10:00:00.000Z');
const NOW = SINCE + 3 * 86_400_000;
const NONCE = 'nonce-of-this-guardian-01';

const operators: ResolvedApprover[] = [
  { name: 'maria', named: true, groups: [], publicKey: maria.publicKey },
  { name: 'sam', named: true, groups: [] },
];

interface State {
  stopped: boolean;
  pausedBy: string | null;
  nonce: string;
  since: string;
}

function state(over: Partial<State> = {}): State {
  return { stopped: false, pausedBy: null, nonce: NONCE, since: new Date(SINCE).toISOString(), ...over };
}

function signed(
  over: Partial<GuardianCommandRequest> = {},
  opts: { key?: string; workflowId?: string; nonce?: string; atMs?: number; domain?: SigningDomain } = {},
): GuardianCommandRequest {
  const request = { command: 'pause' as const, operator: 'maria', reason: 'holiday freeze', ...over };
  const at = new Date(opts.atMs ?? NOW - 1000).toISOString();
  const target = { kind: 'guardian' as const, workflowId: opts.workflowId ?? WORKFLOW_ID, nonce: opts.nonce ?? NONCE };
  const payload = operatorCommandPayload(target, { ...request, at });
  const domain = opts.domain ?? SigningDomain.guardianCommand;
  return { ...request, at, signature: signPayload(domain, opts.key ?? maria.privateKey, payload) };
}

function refusal(raw: unknown, s: State = state(), who: ResolvedApprover[] | null = operators) {
  const check = checkGuardianCommand(s, WORKFLOW_ID, raw, who, NOW);
  if (check.ok) throw new Error('expected a refusal');
  return check.refusal;
}

describe('guardian commands', () => {
  it("accepts pause, resume and stop signed by one of the retrain policy's approvers for this guardian", () => {
    expect(checkGuardianCommand(state(), WORKFLOW_ID, signed(), operators, NOW)).toMatchObject({
      ok: true,
      request: { command: 'pause', operator: 'maria' },
    });
    const paused = state({ pausedBy: 'maria: holiday freeze' });
    expect(checkGuardianCommand(paused, WORKFLOW_ID, signed({ command: 'resume' }), operators, NOW).ok).toBe(true);
    expect(checkGuardianCommand(state(), WORKFLOW_ID, signed({ command: 'stop' }), operators, NOW).ok).toBe(true);
  });

  it('refuses a malformed command, naming the field', () => {
    const r = refusal({ command: 'retrain', operator: 'maria', reason: 'x' });
    expect(r.type).toBe(GuardianRefusal.InvalidCommand);
    expect(r.message).toContain('command');
    const noReason = refusal(signed({ reason: ' ' }));
    expect(noReason.type).toBe(GuardianRefusal.InvalidCommand);
    expect(noReason.message).toContain('reason');
  });

  it('refuses every command once stopped', () => {
    const r = refusal(signed({ command: 'resume' }), state({ stopped: true }));
    expect(r).toEqual({
      type: GuardianRefusal.GuardianStopped,
      message: 'the guardian was stopped: it takes no commands',
    });
  });

  it('refuses before the guardian resolved who may command it', () => {
    const r = refusal(signed(), state(), null);
    expect(r.type).toBe(GuardianRefusal.OperatorNotAllowed);
    expect(r.message).toContain('has not resolved who may command it yet');
  });

  it('refuses an outsider, naming who may command', () => {
    const r = refusal(signed({ operator: 'lee' }, { key: lee.privateKey }));
    expect(r.type).toBe(GuardianRefusal.OperatorNotAllowed);
    expect(r.message).toBe("lee may not command this guardian: only the approval policy's approvers may (maria, sam)");
  });

  it('refuses an approver without a key in the directory', () => {
    const r = refusal(signed({ operator: 'sam' }));
    expect(r.type).toBe(GuardianRefusal.OperatorNotAllowed);
    expect(r.message).toContain('sam has no public key');
  });

  it('refuses a pause while paused and a resume while not paused', () => {
    const twice = refusal(signed(), state({ pausedBy: 'maria: freeze' }));
    expect(twice).toEqual({
      type: GuardianRefusal.CommandNotApplicable,
      message: 'the guardian is already paused (maria: freeze)',
    });
    const resume = refusal(signed({ command: 'resume' }));
    expect(resume.type).toBe(GuardianRefusal.CommandNotApplicable);
  });

  it('refuses an unsigned command', () => {
    const { signature: _s, at: _a, ...bare } = signed();
    const r = refusal(bare);
    expect(r.type).toBe(GuardianRefusal.UnsignedCommand);
    expect(r.message).toContain('is not signed');
  });

  it('refuses a signature by another key, for another guardian, another nonce, or another kind of command', () => {
    for (const [label, raw] of [
      ['another key', signed({}, { key: lee.privateKey })],
      ['another guardian', signed({}, { workflowId: 'guardian:fraud' })],
      ['another nonce', signed({}, { nonce: 'nonce-of-another-guard-1' })],
      ['a rollout command', signed({}, { domain: SigningDomain.rolloutCommand })],
    ] as const) {
      const r = refusal(raw);
      expect(r.type, label).toBe(GuardianRefusal.BadSignature);
      expect(r.message, label).toContain('does not verify');
    }
  });

  it('refuses a command signed too long ago, before the guardian started, or in the future', () => {
    expect(refusal(signed({}, { atMs: NOW - 60 * 60_000 })).type).toBe(GuardianRefusal.BadSignature);
    const recent = state({ since: new Date(NOW - 60_000).toISOString() });
    const before = refusal(signed({}, { atMs: NOW - 7 * 60_000 }), recent);
    expect(before.type).toBe(GuardianRefusal.BadSignature);
    expect(before.message).toContain('this guardian started');
    expect(refusal(signed({}, { atMs: NOW + 60 * 60_000 })).type).toBe(GuardianRefusal.BadSignature);
  });
});
