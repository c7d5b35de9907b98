/**
 * One gate's page: the evidence the decision is bound to (candidate against champion with the change and verdicts,
 * their chart, the validation summary, the drift report of a guardian's retrain, the model card), the deadline,
 * escalation, who may decide and what was decided, and the decision form when the person may decide.
 */
import type { GateState, MetricComparison, RunProgress } from '@slipway/sdk';
import { evidenceChart, formatNumber } from '../evidence-chart.js';
import { html, type Html } from '../html.js';
import type { DecideAbility } from '../may-decide.js';

/** What the gate page shows. */
export interface GatePageModel {
  runId: string;
  gate: GateState;
  progress: RunProgress | undefined;
  modelCard: string | undefined;
  ability: DecideAbility;
  csrfToken: string;
  /** A decision the page just made, or the gate's refusal of one. */
  notice?: { kind: 'ok' | 'error'; text: string };
}

/** The body of the gate page. */
export function gatePage(m: GatePageModel): Html {
  const { gate } = m;
  return html`<h1>${gate.model} v${gate.version} <span class="badge ${gate.status}">${gate.status}</span></h1>
    <p class="muted">run <code>${m.runId}</code>${gate.startedBy ? html` · started by ${gate.startedBy}` : ''}</p>
    ${m.notice ? html`<div class="${m.notice.kind === 'ok' ? 'notice' : 'error'}" role="status">${m.notice.text}</div>` : ''}
    ${decisionSection(m)} ${metricsSection(gate)} ${validationSection(gate, m.progress)} ${driftSection(m.runId, gate)}
    ${policySection(gate)} ${decisionsSection(gate)}
    <section>
      <h2>Model card</h2>
      ${
        m.modelCard === undefined
          ? html`<p class="muted">The registry has no record of this version.</p>`
          : html`<pre class="card">${m.modelCard}</pre>`
      }
    </section>`;
}

function decisionSection(m: GatePageModel): Html {
  if (m.gate.status !== 'pending') return html``;
  if (!m.ability.may) {
    return html`<section class="cannot-decide">
      <h2>Your decision</h2>
      <p>You cannot decide on this gate: ${m.ability.reason}.</p>
    </section>`;
  }
  return html`<section>
    <h2>Your decision</h2>
    <form method="post" action="/gates/${encodeURIComponent(m.runId)}/decide" class="decide">
      <input type="hidden" name="csrf" value="${m.csrfToken}" />
      <input type="hidden" name="evidence" value="${m.gate.evidence.digest}" />
      <label for="comment">Comment</label>
      <textarea id="comment" name="comment" maxlength="2000" placeholder="why"></textarea>
      <p class="muted">
        Your decision is signed for you by this page and bound to evidence <code>${m.gate.evidence.digest}</code>.
      </p>
      <div class="actions">
        <button type="submit" name="decision" value="approve" class="approve">Approve</button>
        <button type="submit" name="decision" value="reject" class="reject">Reject</button>
      </div>
    </form>
  </section>`;
}

function metricsSection(gate: GateState): Html {
  const comparison = gate.evidence.comparison ?? legacyComparison(gate);
  const champion = gate.evidence.champion;
  return html`<section>
    <h2>Candidate against champion</h2>
    <p class="muted">
      candidate
      v${gate.evidence.candidate.version}${
        champion ? ` against champion v${champion.version}` : ' · no champion yet: the first version of this model'
      }
    </p>
    <table class="metrics">
      <thead>
        <tr>
          <th>metric</th>
          <th>candidate</th>
          <th>champion</th>
          <th>change</th>
          <th>verdict</th>
        </tr>
      </thead>
      <tbody>
        ${comparison.map(metricRow)}
      </tbody>
    </table>
    ${evidenceChart(comparison)}
  </section>`;
}

function metricRow(row: MetricComparison): Html {
  const value = (v: number | null) => (v === null ? '—' : formatNumber(v));
  const delta = row.delta === null ? '—' : `${row.delta >= 0 ? '+' : ''}${formatNumber(row.delta)}`;
  return html`<tr>
    <td>${row.metric} <span class="muted">(${row.goal} is better)</span></td>
    <td class="num">${value(row.candidate)}</td>
    <td class="num">${value(row.champion)}</td>
    <td class="num">${delta}</td>
    <td class="${row.verdict ?? 'same'}">${row.verdict ?? '—'}</td>
  </tr>`;
}

/** For packets built before comparisons: the candidate's metrics next to the champion's, without verdicts. */
function legacyComparison(gate: GateState): MetricComparison[] {
  const { candidate, champion } = gate.evidence;
  return Object.entries(candidate.metrics).map(([metric, value]) => {
    const other = champion?.metrics[metric];
    return {
      metric,
      goal: 'higher',
      candidate: value,
      champion: other ?? null,
      delta: other === undefined ? null : value - other,
      verdict: null,
    };
  });
}

function validationSection(gate: GateState, progress: RunProgress | undefined): Html {
  const e = gate.evidence;
  const steps = (progress?.steps ?? []).filter((s) => s.summary !== undefined);
  return html`<section>
    <h2>Validation and lineage</h2>
    <table>
      <tbody>
        <tr>
          <th>validation report</th>
          <td><code>${e.validationReportDigest}</code></td>
        </tr>
        <tr>
          <th>dataset</th>
          <td><code>${e.datasetUri}</code><br /><code>${e.datasetDigest}</code></td>
        </tr>
        <tr>
          <th>code version</th>
          <td><code>${e.codeVersion}</code></td>
        </tr>
        <tr>
          <th>evidence digest</th>
          <td><code>${e.digest}</code></td>
        </tr>
        ${steps.map(
          (s) =>
            html`<tr>
              <th>${s.step}</th>
              <td>${s.summary}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function driftSection(runId: string, gate: GateState): Html {
  const retrain = gate.evidence.retrain;
  if (retrain === undefined) return html``;
  return html`<section>
    <h2>Drift that started this retrain</h2>
    <p>${retrain.summary}</p>
    <p>
      <a href="/gates/${encodeURIComponent(runId)}/drift">Open the drift report</a>
      <span class="muted">(report <code>${retrain.driftReport.digest}</code>)</span>
    </p>
  </section>`;
}

function policySection(gate: GateState): Html {
  const eligible = gate.eligible.map(
    (e) => `${e.name}${e.groups.length > 0 ? ` (${e.groups.join(', ')})` : ''}${e.escalated ? ' [escalated]' : ''}`,
  );
  const escalation = gate.escalateTo
    ? gate.escalatedAt
      ? `escalated to ${gate.escalateTo.join(', ')} at ${gate.escalatedAt}`
      : `escalates to ${gate.escalateTo.join(', ')} if nobody decides in time`
    : 'does not escalate';
  const approvals = gate.decisions.filter((d) => d.decision === 'approve').length;
  return html`<section>
    <h2>Policy</h2>
    <table>
      <tbody>
        <tr>
          <th>who may decide</th>
          <td>${eligible.join(', ') || 'nobody'}</td>
        </tr>
        <tr>
          <th>quorum</th>
          <td>${approvals} of ${gate.quorum} approvals</td>
        </tr>
        <tr>
          <th>opened</th>
          <td>${gate.openedAt}</td>
        </tr>
        <tr>
          <th>deadline</th>
          <td>${gate.deadline}</td>
        </tr>
        <tr>
          <th>escalation</th>
          <td>${escalation}</td>
        </tr>
      </tbody>
    </table>
  </section>`;
}

function decisionsSection(gate: GateState): Html {
  if (gate.decisions.length === 0 && gate.refused.length === 0) return html``;
  return html`<section>
    <h2>Decisions</h2>
    <table>
      <thead>
        <tr>
          <th>who</th>
          <th>decision</th>
          <th>when</th>
          <th>signed</th>
          <th>comment</th>
        </tr>
      </thead>
      <tbody>
        ${gate.decisions.map(
          (d) =>
            html`<tr>
              <td>${d.approver}</td>
              <td>${d.decision}</td>
              <td>${d.at}</td>
              <td>${d.signedBy ? `by the service ${d.signedBy}` : d.signature ? 'by the approver' : d.via}</td>
              <td>${d.comment ?? ''}</td>
            </tr>`,
        )}
        ${gate.refused.map(
          (r) =>
            html`<tr>
              <td>${r.approver}</td>
              <td class="worse">refused</td>
              <td>${r.at}</td>
              <td>${r.via}</td>
              <td>${r.reason}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
