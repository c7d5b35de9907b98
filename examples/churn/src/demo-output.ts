import type { DriftReport } from '@slipway/sdk';
import pc from 'picocolors';

/** Prints a section heading. */
export function section(title: string): void {
  console.log(`\n${pc.bold(title)}`);
}

/** Prints the drift report as a bar chart of PSI per feature against the threshold. */
export function printDrift(report: DriftReport): void {
  const left = report.imputedRows ? ` (${report.imputedRows} rows with imputed features left out)` : '';
  if (!report.enoughSamples) {
    console.log(`  only ${report.samples} samples served${left}; no verdict`);
    return;
  }
  const width = Math.max(...report.features.map((f) => f.feature.length));
  const scale = Math.max(report.threshold * 2, ...report.features.map((f) => f.psi));
  for (const f of report.features) {
    const bar = '█'.repeat(Math.max(1, Math.round((f.psi / scale) * 30)));
    const colour = f.drifted ? pc.red : pc.green;
    console.log(
      `  ${f.feature.padEnd(width)}  ${colour(bar)} ${f.psi.toFixed(3)}${f.drifted ? pc.red('  drift') : ''}`,
    );
  }
  console.log(
    pc.dim(
      `  threshold ${report.threshold}; ${report.samples} samples${left}; ${report.drifted ? 'drift detected: retraining is due' : 'no drift'}`,
    ),
  );
}
