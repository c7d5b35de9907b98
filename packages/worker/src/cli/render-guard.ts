/** How the CLI shows a model guardian: its status, and one check's summary. */
import type { GuardianCheckSummary, GuardianStatus } from '@slipway/sdk';
import pc from 'picocolors';

/** The guardian's status: phase, counters against the limits, the running retrain, last checks and decisions. */
export function renderGuardStatus(status: GuardianStatus): string {
  const { counters, limits } = status;
  const lines = [
    `${pc.bold(`guardian:${status.model}`)} (${status.alias}) ${phaseLabel(status)} — every ${status.every}, started by ${status.starter}`,
    `  checks ${counters.checks}; drifted in a row ${counters.consecutive} of ${limits.consecutive}; retrains this week ${limits.retrainsThisWeek} of ${limits.perWeek}; cooldown ${limits.cooldown}${limits.cooldownUntil ? ` (until ${limits.cooldownUntil})` : ''}`,
    `  next check ${status.nextCheckAt ?? '—'}${status.pausedBy ? `; paused by ${status.pausedBy}` : ''}`,
  ];
  if (status.running) {
    lines.push(
      `  retrain running: ${status.running.workflowId} (after ${status.running.checkId}, since ${status.running.startedAt})`,
    );
  }
  for (const o of status.outcomes) {
    lines.push(
      `  retrain ${o.workflowId}${o.version ? ` v${o.version}` : ''} after ${o.checkId}: ${o.status}${o.detail ? ` (${o.detail})` : ''}`,
    );
  }
  if (status.recent.length > 0) lines.push(pc.bold('  last checks'));
  for (const c of status.recent.slice(-10)) lines.push(`    ${describeCheck(c)}`);
  if (status.decisions.length > 0) lines.push(pc.bold('  decisions'));
  for (const d of status.decisions.slice(-10)) lines.push(`    ${d.at} ${d.kind} (${d.checkId}): ${d.reason}`);
  return lines.join('\n');
}

/** One check in a line: number, window, samples, verdict. */
export function describeCheck(c: GuardianCheckSummary): string {
  const window = `${c.window.from ?? '…'} → ${c.window.to}`;
  if (c.error) return `#${c.n}${c.backfill ? ' backfill' : ''} ${window}: ${pc.red(`failed: ${c.error}`)}`;
  const verdict = !c.enoughSamples
    ? pc.yellow('no verdict (too few samples)')
    : c.drifted
      ? pc.red(`drift (share ${c.driftShare.toFixed(2)}: ${c.driftedFeatures.join(', ')})`)
      : pc.green('no drift');
  return `#${c.n}${c.backfill ? ' backfill' : ''} v${c.version ?? '?'} ${window}: ${c.samples} samples, ${verdict}`;
}

/** A check's summary and where its report and page are (until the report itself is rendered). */
export function renderCheckSummary(c: GuardianCheckSummary): string {
  const lines = [describeCheck(c)];
  if (c.report) lines.push(`  report ${c.report.uri} (${c.report.digest})`);
  if (c.page) lines.push(`  page   ${c.page.uri}`);
  return lines.join('\n');
}

function phaseLabel(status: GuardianStatus): string {
  if (status.phase === 'stopped') return pc.red('stopped');
  if (status.phase === 'paused') return pc.yellow('paused');
  return pc.green(status.phase);
}
