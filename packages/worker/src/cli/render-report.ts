import type { CheckResult } from '@slipway/sdk';
import type { ValidationReport } from '@slipway/activities/data';
import Table from 'cli-table3';
import pc from 'picocolors';
import { TABLE_STYLE } from './render.js';

/** A validation report as people read it: the dataset, the schema verdict, then every check. */
export function renderValidationReport(report: ValidationReport): string {
  const { dataset } = report;
  const share = `${(report.badRowShare * 100).toFixed(2)}% bad, at most ${(report.maxBadRowShare * 100).toFixed(2)}% allowed`;
  const schemaLine = `${report.rows} rows, ${report.badRows} bad (${share})`;
  const lines = [
    `${pc.bold(dataset.uri)}  ${dataset.format}, ${dataset.bytes} bytes, ${dataset.digest}`,
    `${report.badRowShare <= report.maxBadRowShare ? pc.green('✔') : pc.red('✖')} schema      ${schemaLine}`,
    ...report.failures
      .slice(0, 5)
      .map((f) =>
        pc.dim(`    ${f.where ?? `line ${f.line}`}${f.column ? `, column "${f.column}"` : ''}: ${f.message}`),
      ),
  ];
  if (report.reference) lines.push(pc.dim(`reference: ${report.reference.source}`));
  if (report.checks.length > 0) lines.push(checksTable(report.checks));
  const failed = report.checks.filter((c) => !c.passed && !c.skipped);
  const errors = failed.filter((c) => c.severity === 'error').length;
  const verdict = report.passed ? pc.green('passed') : pc.red('failed');
  lines.push(`${verdict}: ${report.checks.length} expectations, ${errors} failed, ${failed.length - errors} warnings`);
  return lines.join('\n');
}

function checksTable(checks: readonly CheckResult[]): string {
  const table = new Table({ style: TABLE_STYLE, head: ['', 'check', 'failed', 'observed', 'first failure'] });
  for (const check of checks) {
    const sample = check.samples[0];
    const first = sample
      ? `${sample.position}${sample.value === undefined ? '' : ` ${JSON.stringify(sample.value)}`}: ${sample.message}`
      : '';
    const observed = Object.entries(check.observed)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    table.push([
      mark(check),
      check.id,
      `${check.failed}/${check.evaluated}`,
      observed,
      first.length > 90 ? `${first.slice(0, 89)}…` : first,
    ]);
  }
  return table.toString();
}

function mark(check: CheckResult): string {
  if (check.skipped) return pc.dim('–');
  if (check.passed) return pc.green('✔');
  return check.severity === 'error' ? pc.red('✖') : pc.yellow('⚠');
}
