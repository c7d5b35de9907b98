/**
 * Terminal rendering of a rollout's state (`slipway status rollout:<model>`, `slipway rollout status <model>`): where
 * it is, the split, each window's readings against the guards, the operators' commands, how it ended.
 */
import type { GuardReadings, RolloutState, RolloutStepRecord, VersionReading } from '@slipway/sdk';
import Table from 'cli-table3';
import pc from 'picocolors';
import { TABLE_STYLE } from './table-style.js';

const VERDICT: Record<RolloutStepRecord['verdict'], string> = {
  pass: pc.green('pass'),
  hold: pc.yellow('hold'),
  breach: pc.red('breach'),
  lost: pc.yellow('lost (target restarted)'),
  unread: pc.dim('not read (no bake time)'),
};

/** The rollout: a header, the pause or outcome, the windows read, the commands accepted. */
export function renderRollout(state: RolloutState): string {
  const lines = [headline(state)];
  if (state.pausedBy !== null) lines.push(pc.yellow(`paused: ${state.pausedBy}`));
  if (state.outcome) {
    const live = state.outcome.live ? `v${state.outcome.live.version} (${state.outcome.live.deploymentId})` : 'nothing';
    const how = state.outcome.status === 'promoted' ? pc.green('promoted') : pc.red('rolled back');
    lines.push(`${how}${state.outcome.reason ? `: ${state.outcome.reason}` : ''}; the target says ${live} serves`);
    const retirement = state.outcome.retirement;
    if (retirement?.retired) {
      lines.push(`v${retirement.retired.version} (${retirement.retired.deploymentId}) retired after the drain`);
    } else if (retirement?.kept) {
      lines.push(pc.yellow(retirement.kept));
    }
  }
  if (state.records.length > 0) lines.push(recordsTable(state));
  if (state.droppedRecords > 0) lines.push(pc.dim(`(${state.droppedRecords} earlier windows not kept)`));
  for (const c of state.commands) lines.push(`  ${c.at}  ${c.command} by ${c.operator}: ${c.reason}`);
  if (state.operators !== null && state.outcome === null) {
    lines.push(
      pc.dim(`may command it: ${state.operators.join(', ') || 'nobody'} (slipway rollout pause|resume|promote|abort)`),
    );
  }
  return lines.join('\n');
}

function headline(state: RolloutState): string {
  const steps = state.steps.join(' → ');
  const at = state.step === null ? '' : `, step ${state.step + 1}/${state.steps.length}`;
  const split = `${state.percent} % ${state.mode === 'shadow' ? 'shadowed to' : 'on'} v${state.version}`;
  const stable = state.stable ? `, stable v${state.stable.version}` : '';
  return `${pc.bold(`rollout ${state.model} v${state.version}`)}  ${state.strategy} ${steps}  ${pc.cyan(state.phase)}${at}; ${split}${stable}; deadline ${state.deadline}`;
}

function recordsTable(state: RolloutState): string {
  const table = new Table({
    style: TABLE_STYLE,
    head: ['step', 'share', 'verdict', 'reads', 'candidate', 'stable', 'p99 ratio', 'score PSI'],
  });
  for (const r of state.records) {
    const readings: GuardReadings | null = r.readings;
    table.push([
      String(r.step + 1),
      `${r.percent} %${r.mode === 'shadow' ? ' shadow' : ''}`,
      VERDICT[r.verdict],
      String(r.reads),
      readings ? side(readings.candidate) : '—',
      readings ? side(readings.stable) : '—',
      readings?.p99Ratio == null ? '—' : readings.p99Ratio.toFixed(2),
      readings?.scorePsi == null ? '—' : readings.scorePsi.toFixed(3),
    ]);
    const deciding = r.checks.filter((c) => c.outcome !== 'pass');
    if (deciding.length > 0) table.push([{ colSpan: 8, content: deciding.map((c) => `  ${c.message}`).join('\n') }]);
  }
  return table.toString();
}

function side(r: VersionReading | null): string {
  if (r === null) return 'no requests';
  const p99 = r.p99Ms === null ? '' : `, p99 ${r.p99Ms.toFixed(1)} ms`;
  return `v${r.version}: ${r.requests} req, ${r.errors} err${p99}`;
}
