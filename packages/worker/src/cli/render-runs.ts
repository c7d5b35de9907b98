/**
 * Terminal rendering of experiment-tracking runs side by side (`slipway runs compare`).
 */
import type { TrackingRunRecord } from '@slipway/activities';
import { improvementOf, metricGoal } from '@slipway/sdk';
import Table from 'cli-table3';
import pc from 'picocolors';
import { TABLE_STYLE } from './render.js';

/** A run to compare, with the reference it was found by (`churn@2`, a workflow id, a run id). */
export interface NamedRun {
  label: string;
  run: TrackingRunRecord;
}

/** Tags always shown in the overview; any other tag is shown only where the two runs differ. */
const KEY_TAGS = ['slipway.trainer', 'slipway.dataset_digest', 'slipway.code_version', 'slipway.workflow_id'];

/** A table without lines between rows: comparisons are read across, line by line. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/**
 * Two runs side by side: what they are (experiment, status, times, data, code, workflow), every parameter
 * (those that differ marked), and every final metric with the change from the first run to the second.
 */
export function renderRunComparison(a: NamedRun, b: NamedRun): string {
  const labels = [a.label, b.label];
  return [
    overviewTable(a.run, b.run, labels),
    paramsTable(a.run, b.run, labels),
    metricsTable(a.run, b.run, labels),
  ].join('\n');
}

function table(head: string[]): Table.Table {
  return new Table({ style: TABLE_STYLE, chars: COMPACT, head });
}

function overviewTable(a: TrackingRunRecord, b: TrackingRunRecord, labels: string[]): string {
  const out = table(['run', ...labels]);
  const rows: [string, (run: TrackingRunRecord) => string][] = [
    ['run id', (run) => run.runId],
    ['experiment', (run) => run.experiment],
    ['status', (run) => run.status],
    ['started', (run) => run.startedAt],
    ['ended', (run) => run.endedAt ?? '—'],
  ];
  for (const [label, value] of rows) out.push([label, value(a), value(b)]);
  for (const key of unionKeys(a.tags, b.tags)) {
    const [x, y] = [a.tags[key], b.tags[key]];
    if (KEY_TAGS.includes(key) || x !== y) out.push([key.replace(/^slipway\./, ''), x ?? '—', y ?? '—']);
  }
  return out.toString();
}

function paramsTable(a: TrackingRunRecord, b: TrackingRunRecord, labels: string[]): string {
  const keys = unionKeys(a.params, b.params);
  if (keys.length === 0) return pc.dim('no parameters were logged');
  const out = table(['param', ...labels, '']);
  for (const key of keys) {
    const [x, y] = [a.params[key], b.params[key]];
    out.push([key, x ?? '—', y ?? '—', x === y ? '' : pc.yellow('differs')]);
  }
  return out.toString();
}

function metricsTable(a: TrackingRunRecord, b: TrackingRunRecord, labels: string[]): string {
  const keys = unionKeys(a.metrics, b.metrics);
  if (keys.length === 0) return pc.dim('no metrics were logged');
  const out = table(['metric', ...labels, 'change']);
  for (const key of keys) {
    const [x, y] = [a.metrics[key], b.metrics[key]];
    out.push([key, formatMetric(x), formatMetric(y), change(x, y, key)]);
  }
  return out.toString();
}

/**
 * `+0.0123 (+1.5%)`, or empty when either side is missing; for a metric whose goal Slipway knows (`metricGoal`),
 * followed by `better` or `worse` (a fall in rmse is better, a fall in auc worse).
 */
export function change(from: number | undefined, to: number | undefined, metric?: string): string {
  if (from === undefined || to === undefined) return '';
  const delta = to - from;
  if (delta === 0) return pc.dim('=');
  const sign = delta > 0 ? '+' : '';
  const relative = from === 0 ? '' : ` (${sign}${((delta / Math.abs(from)) * 100).toFixed(1)}%)`;
  const goal = metric === undefined ? undefined : metricGoal(metric);
  const text = `${sign}${formatMetric(delta)}${relative}`;
  if (goal === undefined) return text;
  return improvementOf(goal, to, from) > 0 ? pc.green(`${text} better`) : pc.red(`${text} worse`);
}

function formatMetric(value: number | undefined): string {
  if (value === undefined) return '—';
  if (Number.isInteger(value)) return String(value);
  const text = value.toPrecision(4);
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
