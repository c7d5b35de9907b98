/**
 * Terminal rendering of a guardian check's report (`slipway guard report`): the verdict, what was compared, one
 * row per feature with its test, statistic and a bar per bin (training above, serving below), the prediction
 * drift and the serving health.
 */
import type { GuardFeatureResult, GuardPredictionResult, GuardReport } from '@slipway/sdk';
import Table from 'cli-table3';
import pc from 'picocolors';
import { TABLE_STYLE } from './table-style.js';

/** The width of a bin's bar at a share of 100 %. */
const BAR_WIDTH = 20;
const BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** The report: verdict, window and source, the features table, prediction drift and health. */
export function renderGuardReport(report: GuardReport): string {
  const lines = [
    `${pc.bold(`guard check ${report.checkId}`)}  ${report.model} v${report.version} (${report.alias})`,
    verdictLine(report),
    `window ${report.window.from ?? '(start)'} → ${report.window.to}; ${report.samples} rows compared` +
      ` (${report.windowRows} in the window, ${report.imputedRows} imputed left out)`,
    pc.dim(`source: ${report.source}`),
  ];
  if (report.features.length > 0) lines.push(featuresTable(report));
  lines.push(predictionLine(report));
  if (report.prediction) lines.push(binsTable('prediction', report.prediction));
  lines.push(healthLine(report));
  return lines.join('\n');
}

function verdictLine(report: GuardReport): string {
  if (!report.enoughSamples) {
    return pc.yellow(`no verdict: ${report.samples} rows, fewer than minSamples ${report.policy.minSamples}`);
  }
  const share = `${report.driftedFeatures.length} drifted, share ${percent(report.driftShare)} (drifted at ≥ ${percent(report.policy.driftShare)})`;
  return report.drifted
    ? pc.red(`DRIFTED: ${share}: ${report.driftedFeatures.join(', ')}`)
    : pc.green(`no drift: ${share}`);
}

function featuresTable(report: GuardReport): string {
  const table = new Table({
    style: TABLE_STYLE,
    head: ['feature', 'test', 'statistic', 'verdict', 'bins: training / serving'],
  });
  for (const f of report.features) {
    table.push([
      `${f.feature}\n${pc.dim(f.kind)}`,
      `${f.test}${f.override ? ' *' : ''}\n${pc.dim(rule(f))}`,
      statistic(f),
      f.drifted ? pc.red('drifted') : pc.green('ok'),
      bars(f.bins, f.expected, f.actual),
    ]);
  }
  const overridden = report.features.some((f) => f.override);
  return table.toString() + (overridden ? `\n${pc.dim('* a per-feature override of the policy')}` : '');
}

function binsTable(name: string, p: GuardPredictionResult): string {
  const table = new Table({ style: TABLE_STYLE, head: [`${name} ${p.of}`, 'bins: training / serving'] });
  table.push([`${p.test} ${fixed(p.statistic)}`, bars(p.bins, p.expected, p.actual)]);
  return table.toString();
}

function rule(f: Pick<GuardFeatureResult, 'pValue' | 'threshold'>): string {
  return f.pValue === undefined ? `drift > ${f.threshold}` : `drift p < ${f.threshold}`;
}

function statistic(f: Pick<GuardFeatureResult, 'statistic' | 'pValue' | 'psi'>): string {
  const p = f.pValue === undefined ? '' : `\np ${f.pValue.toExponential(2)}`;
  return `${fixed(f.statistic)}${p}\n${pc.dim(`psi ${fixed(f.psi)}`)}`;
}

function predictionLine(report: GuardReport): string {
  const p = report.prediction;
  if (!p) return pc.dim(`prediction drift: none (${report.predictionNote ?? 'not measured'})`);
  const pValue = p.pValue === undefined ? '' : `, p ${p.pValue.toExponential(2)}`;
  const verdict = p.drifted ? pc.red('drifted') : pc.green('ok');
  const counted = p.counted ? 'counted in the verdict' : 'not counted in the verdict';
  return `prediction drift (${p.of}, ${p.samples} predictions): ${p.test} ${fixed(p.statistic)}${pValue} ${verdict} (${counted})`;
}

function healthLine(report: GuardReport): string {
  const h = report.health;
  if (!h) return pc.dim('serving health: not measured (rows source)');
  const p99 = h.p99Ms === null ? 'no requests' : `p99 ${h.p99Ms.toFixed(1)} ms`;
  const state = h.breached ? pc.red('BREACHED') : pc.green('ok');
  const note = report.healthNote ? `\n${pc.yellow(report.healthNote)}` : '';
  return `serving health: ${h.requests} requests, ${h.errors} errors (${percent(h.errorRate)}), ${p99} ${state}${note}`;
}

/** One line per bin: its label, the training bar and share, the serving bar and share. */
function bars(bins: readonly string[], expected: readonly number[], actual: readonly number[]): string {
  const width = Math.min(14, Math.max(...bins.map((b) => b.length)));
  return bins
    .map((bin, i) => {
      const e = expected[i] ?? 0;
      const a = actual[i] ?? 0;
      const label = bin.length > width ? `${bin.slice(0, width - 1)}…` : bin.padEnd(width);
      return `${label} ${pc.dim(bar(e))} ${percent(e).padStart(6)}  ${pc.cyan(bar(a))} ${percent(a).padStart(6)}`;
    })
    .join('\n');
}

/** A horizontal bar of `share` × {@link BAR_WIDTH} cells, in eighths, padded to the full width. */
export function bar(share: number, width = BAR_WIDTH): string {
  const eighths = Math.round(Math.min(1, Math.max(0, share)) * width * 8);
  const text = '█'.repeat(Math.floor(eighths / 8)) + (BLOCKS[eighths % 8] ?? '');
  return text.padEnd(width);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function fixed(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
