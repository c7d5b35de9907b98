/**
 * Terminal rendering of experiment-tracking runs side by side (`slipway runs compare`).
 */
import type { TrackingRunRecord } from '@slipway/activities';
import Table from 'cli-table3';
import pc from 'picocolors';
import { TABLE_STYLE } from './render.js';

/** A run to compare, with the reference it was found by (`churn@2`, a workflow id, a run id). */
export interface NamedRun {
  label: string;
  run: TrackingRunRecord;
}

/**
 * Two runs side by side: what they are (experiment, status, times, workflow), every parameter (those that
 * differ marked), and every final metric with the change from the first to the second.
 */
export function renderRunComparison(a: NamedRun, b: NamedRun): string {
  return [overviewTable(a, b), paramsTable(a.run, b.run), metricsTable(a.run, b.run)].join('\n');
}

function head(a: NamedRun, b: NamedRun, first: string): string[] {
  return [first, a.label, b.label];
}

function overviewTable(a: NamedRun, b: NamedRun): string {
  const table = new Table({ style: TABLE_STYLE, head: head(a, b, 'run') });
  const rows: [string, (run: TrackingRunRecord) => string][] = [
    ['run id', (run) => run.runId],
    ['experiment', (run) => run.experiment],
    ['name', (run) => run.name],
    ['status', (run) => run.status],
    ['started', (run) => run.startedAt],
    ['ended', (run) => run.endedAt ?? '—'],
  ];
  for (const [label, value] of rows) table.push([label, value(a.run), value(b.run)]);
  for (const key of unionKeys(a.run.tags, b.run.tags))
    table.push([pc.dim(key), a.run.tags[key] ?? '—', b.run.tags[key] ?? '—']);
  return table.toString();
}

function paramsTable(a: TrackingRunRecord, b: TrackingRunRecord): string {
  const keys = unionKeys(a.params, b.params);
  if (keys.length === 0) return pc.dim('no parameters were logged');
  const table = new Table({ style: TABLE_STYLE, head: ['param', 'first', 'second', ''] });
  for (const key of keys) {
    const [x, y] = [a.params[key], b.params[key]];
    table.push([key, x ?? '—', y ?? '—', x === y ? '' : pc.yellow('differs')]);
  }
  return table.toString();
}

function metricsTable(a: TrackingRunRecord, b: TrackingRunRecord): string {
  const keys = unionKeys(a.metrics, b.metrics);
  if (keys.length === 0) return pc.dim('no metrics were logged');
  const table = new Table({ style: TABLE_STYLE, head: ['metric', 'first', 'second', 'change'] });
  for (const key of keys) {
    const [x, y] = [a.metrics[key], b.metrics[key]];
    table.push([key, formatMetric(x), formatMetric(y), change(x, y)]);
  }
  return table.toString();
}

/** `+0.0123 (+1.5%)`, or empty when either side is missing. */
export function change(from: number | undefined, to: number | undefined): string {
  if (from === undefined || to === undefined) return '';
  const delta = to - from;
  if (delta === 0) return pc.dim('=');
  const sign = delta > 0 ? '+' : '';
  const relative = from === 0 ? '' : ` (${sign}${((delta / Math.abs(from)) * 100).toFixed(1)}%)`;
  return `${sign}${formatMetric(delta)}${relative}`;
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
