/**
 * The approvals page's front page: the gates waiting for a decision (from their listing memo, one list call) and
 * the history of decided gates with who decided (from the audit trail).
 */
import type { AuditEntry } from '@slipway/activities';
import type { GateDecision } from '@slipway/sdk';
import { DEFAULT_GATE_LIST_LIMIT, gateListCutNotice } from '@slipway/sdk/client';
import type { ListedGate } from '../gate-access.js';
import { html, type Html } from '../html.js';

/** The front page's body. */
export function listPage(
  pending: readonly ListedGate[],
  closed: readonly ListedGate[],
  audit: readonly AuditEntry[],
  pendingLimit = DEFAULT_GATE_LIST_LIMIT,
): Html {
  const cut = gateListCutNotice(pending.length, pendingLimit);
  return html`<h1>Waiting for a decision</h1>
    ${pending.length === 0 ? html`<p class="muted">No gate is waiting.</p>` : pendingTable(pending)}
    ${cut === undefined ? '' : html`<p class="notice">Note: ${cut}</p>`}
    <h2>Decided</h2>
    ${closed.length === 0 ? html`<p class="muted">No gate has been decided yet.</p>` : historyTable(closed, audit)}`;
}

function gateLink(gate: ListedGate): Html {
  const { listing } = gate;
  return html`<a href="/gates/${encodeURIComponent(gate.runId)}">${listing.model} v${listing.version}</a>`;
}

function pendingTable(gates: readonly ListedGate[]): Html {
  return html`<table class="pending">
    <thead>
      <tr>
        <th>model</th>
        <th>evidence</th>
        <th>approvals</th>
        <th>who may decide</th>
        <th>deadline</th>
        <th>escalation</th>
      </tr>
    </thead>
    <tbody>
      ${gates.map((gate) => {
        const l = gate.listing;
        const who = [...l.approvers, ...l.approverGroups.map((g) => `group ${g}`)].join(', ');
        const escalation = l.escalatedAt
          ? `escalated to ${(l.escalateTo ?? []).join(', ')}`
          : l.escalateTo
            ? `to ${l.escalateTo.join(', ')} later`
            : '—';
        return html`<tr>
          <td>${gateLink(gate)}<br /><span class="muted">${gate.runId}</span></td>
          <td>${l.headline ?? ''}</td>
          <td>${l.approvals} of ${l.quorum}</td>
          <td>${who}</td>
          <td>${l.deadline}</td>
          <td>${escalation}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function historyTable(gates: readonly ListedGate[], audit: readonly AuditEntry[]): Html {
  const decisions = decisionsByRun(audit);
  return html`<table class="history">
    <thead>
      <tr>
        <th>model</th>
        <th>outcome</th>
        <th>decided by</th>
        <th>closed</th>
      </tr>
    </thead>
    <tbody>
      ${gates.map((gate) => {
        const l = gate.listing;
        const who = (decisions.get(gate.runId) ?? []).map(
          (d) => `${d.approver} (${d.decision}${d.signedBy ? `, signed by ${d.signedBy}` : ''})`,
        );
        return html`<tr>
          <td>${gateLink(gate)}<br /><span class="muted">${gate.runId}</span></td>
          <td><span class="badge ${l.status}">${l.status}</span></td>
          <td>${who.join(', ') || '—'}</td>
          <td>${l.closedAt ?? ''}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** The decisions the audit trail recorded for each run's gate (its `approval` lines). */
function decisionsByRun(audit: readonly AuditEntry[]): Map<string, GateDecision[]> {
  const byRun = new Map<string, GateDecision[]>();
  for (const entry of audit) {
    if (entry.kind !== 'approval') continue;
    const data = entry.data as { workflowId?: unknown; decisions?: unknown };
    if (typeof data.workflowId !== 'string' || !Array.isArray(data.decisions)) continue;
    byRun.set(data.workflowId, data.decisions as GateDecision[]);
  }
  return byRun;
}
