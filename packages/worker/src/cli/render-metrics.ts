/**
 * The metrics of an evidence packet in the terminal: the task's metrics first (candidate, champion, the change
 * and whether it is better or worse by the metric's goal), then the candidate's other metrics.
 */
import { evidenceComparison, type EvidencePacket, type MetricComparison } from '@slipway/sdk';
import Table from 'cli-table3';
import pc from 'picocolors';

/** Table style: cli-table3 colours its header red by default; ours, and none when colour is off. */
const STYLE = { head: pc.isColorSupported ? ['cyan'] : [], border: pc.isColorSupported ? ['grey'] : [] };

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

function fixed(value: number | null, digits = 4): string {
  return value === null ? '—' : value.toFixed(digits);
}
