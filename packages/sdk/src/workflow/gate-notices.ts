/**
 * What an approval gate tells the people around it, through the worker's notifiers (`slipway.notify`): it opened,
 * it escalated, it was decided, it expired. Each event's id is the run's workflow id, the version and the kind
 * (`<workflowId>:<version>:gate_opened`), stable under retry and replay, so a receiver drops a repeated delivery;
 * the summary names the model, the version and who decided, the details carry the evidence digest and the deadline.
 * A notification that fails is logged and never fails the gate.
 */
import { log, workflowInfo } from '@temporalio/workflow';
import type { GateState } from '../schemas/approval.js';
import type { NotificationEventInput, NotificationKind } from '../schemas/notification.js';
import { notifyStep } from '../steps/guard.js';
import { useStep, type StepOverrides } from './use-step.js';

/** The gate events Slipway notifies. */
export type GateNoticeKind = Extract<
  NotificationKind,
  'gate_opened' | 'gate_escalated' | 'gate_decided' | 'gate_expired'
>;

/** The most names a gate notification lists. */
const LISTED_NAMES = 20;

/** The notification of a gate event, built from the gate's state at that moment. */
export function gateNotice(kind: GateNoticeKind, gate: GateState, workflowId: string): NotificationEventInput {
  const { model, version } = gate;
  const names = (list: { name: string }[]) => list.slice(0, LISTED_NAMES).map((e) => e.name);
  const retrain = gate.evidence.retrain;
  return {
    id: `${workflowId}:${version}:${kind}`,
    kind,
    model,
    version,
    runId: workflowId,
    summary: gateSummary(kind, gate).slice(0, 1000),
    at: eventTime(kind, gate),
    details: {
      status: gate.status,
      evidenceDigest: gate.evidence.digest,
      deadline: gate.deadline,
      quorum: gate.quorum,
      approvers: names(gate.eligible),
      ...(kind === 'gate_escalated' ? { escalatedTo: names(gate.eligible.filter((e) => e.escalated === true)) } : {}),
      ...(gate.escalateTo ? { escalateTo: gate.escalateTo } : {}),
      decisions: gate.decisions.slice(0, LISTED_NAMES).map((d) => ({
        decision: d.decision,
        approver: d.approver,
        at: d.at,
        ...(d.signedBy ? { signedBy: d.signedBy } : {}),
      })),
      ...(retrain
        ? {
            guardian: retrain.guardian,
            checkId: retrain.checkId,
            driftReport: retrain.driftReport.uri,
            driftReportDigest: retrain.driftReport.digest,
          }
        : {}),
    },
  };
}

function gateSummary(kind: GateNoticeKind, gate: GateState): string {
  const about = `${gate.model} v${gate.version}`;
  const drift = gate.evidence.retrain ? `; ${gate.evidence.retrain.summary}` : '';
  switch (kind) {
    case 'gate_opened':
      return `${about}: approval gate opened (quorum ${gate.quorum}, until ${gate.deadline})${drift}`;
    case 'gate_escalated': {
      const added = gate.eligible.filter((e) => e.escalated === true).map((e) => e.name);
      const who = added.length > 0 ? added.slice(0, LISTED_NAMES).join(', ') : 'nobody (the groups have no new member)';
      return `${about}: nobody decided in time; escalated to ${(gate.escalateTo ?? []).join(', ')}: ${who} may now decide (until ${gate.deadline})`;
    }
    case 'gate_decided': {
      const by = gate.decisions.map((d) => `${d.decision} by ${d.approver}${d.signedBy ? ` (via ${d.signedBy})` : ''}`);
      return `${about}: ${gate.status} (${by.join(', ') || 'no decision'})`;
    }
    case 'gate_expired':
      return `${about}: approval gate expired at ${gate.deadline} without a decision`;
  }
}

function eventTime(kind: GateNoticeKind, gate: GateState): string {
  if (kind === 'gate_opened') return gate.openedAt;
  if (kind === 'gate_escalated') return gate.escalatedAt ?? gate.openedAt;
  return gate.closedAt ?? gate.deadline;
}

/** Sends a gate notification; a failure is logged, never thrown (a notifier never fails the gate). */
export async function sendGateNotice(kind: GateNoticeKind, gate: GateState, options?: StepOverrides): Promise<void> {
  try {
    await useStep(notifyStep, options)(gateNotice(kind, gate, workflowInfo().workflowId));
  } catch (err) {
    log.warn(`The ${kind} notification failed; the gate goes on`, {
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
