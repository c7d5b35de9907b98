/**
 * The metrics of an evidence packet in the terminal: the task's metrics first (candidate, champion, the change
 * and whether it is better or worse by the metric's goal), then the candidate's other metrics.
 */
import { evidenceComparison, type EvidencePacket, type MetricComparison } from '@slipway/sdk';
import Table from 'cli-table3';
import pc from 'picocolors';

/** Table style: cli-table3 colours its header red by default; ours, and none when colour is off. */
const STYLE = { head: pc.isColorSupported ? ['cyan'] : [], border: pc.isColorSupported ? ['grey'] : [] };

/** Metrics shown per side in one cell of the approvals table. */
const CELL_METRICS = 3;

/** The evidence's metrics as a table: metric, candidate, champion, change (better/worse by the metric's goal). */
export function renderEvidenceMetrics(evidence: EvidencePacket): string {
  const { champion } = evidence;
  const table = new Table({
    style: STYLE,
    head: [
      evidence.task ? `metric (${evidence.task})` : 'metric',
      `candidate v${evidence.candidate.version}`,
      champion ? `champion v${champion.version}` : 'champion',
      'change',
    ],
  });
  const comparison = evidenceComparison(evidence);
  for (const row of comparison) {
    table.push([
      `${row.metric} ${pc.dim(row.goal === 'lower' ? '↓' : '↑')}`,
      fixed(row.candidate),
      fixed(row.champion),
      change(row),
    ]);
  }
  const shown = new Set(comparison.map((c) => c.metric));
  for (const [metric, value] of Object.entries(evidence.candidate.metrics)) {
    if (shown.has(metric)) continue;
    table.push([metric, fixed(value), fixed(champion?.metrics[metric] ?? null), '']);
  }
  return table.toString();
}

/** `+0.0123 better`, `-2.0000 better` (rmse), `worse`, `=`; empty when either side lacks the metric. */
export function change(row: MetricComparison): string {
  if (row.delta === null || row.verdict === null) return '';
  if (row.verdict === 'same') return pc.dim('=');
  const sign = row.delta > 0 ? '+' : '';
  const text = `${sign}${row.delta.toFixed(4)} ${row.verdict}`;
  return row.verdict === 'better' ? pc.green(text) : pc.red(text);
}

/**
 * The candidate's cell of the approvals table: its task metrics (at most three, with better/worse against the
 * champion); a candidate with none of its task's metrics shows its own metrics, so the cell is never blank.
 */
export function candidateCell(evidence: EvidencePacket): string {
  const rows = evidenceComparison(evidence).filter((c) => c.candidate !== null);
  if (rows.length === 0) return ownMetrics(evidence.candidate.metrics);
  return rows
    .slice(0, CELL_METRICS)
    .map((c) => `${c.metric} ${fixed(c.candidate, 3)}${c.verdict && c.verdict !== 'same' ? ` (${c.verdict})` : ''}`)
    .join(' ');
}

/** The champion's cell of the approvals table: `v1` and the same metrics as the candidate's cell. */
export function championCell(evidence: EvidencePacket): string {
  const { champion } = evidence;
  if (!champion) return '—';
  const rows = evidenceComparison(evidence).filter((c) => c.candidate !== null && c.champion !== null);
  const metrics =
    rows.length > 0
      ? rows
          .slice(0, CELL_METRICS)
          .map((c) => `${c.metric} ${fixed(c.champion, 3)}`)
          .join(' ')
      : ownMetrics(champion.metrics);
  return `v${champion.version} ${metrics}`;
}

function ownMetrics(metrics: Record<string, number>): string {
  const names = Object.keys(metrics).sort().slice(0, CELL_METRICS);
  return names.length === 0 ? pc.dim('no metrics') : names.map((m) => `${m} ${fixed(metrics[m] ?? null, 3)}`).join(' ');
}

function fixed(value: number | null, digits = 4): string {
  return value === null ? '—' : value.toFixed(digits);
}
