/**
 * Terminal rendering of schedules (`slipway schedule list | describe | create`).
 */
import type { ScheduleInfo } from '@slipway/sdk/client';
import Table from 'cli-table3';
import pc from 'picocolors';
import { TABLE_STYLE } from './render.js';

/** Every schedule in one table: id, pipeline, cron, state, the next run, the last run and its status. */
export function renderSchedules(schedules: readonly ScheduleInfo[]): string {
  if (schedules.length === 0)
    return pc.dim('no schedules; create one with: slipway schedule create <pipeline> --cron … --input …');
  const table = new Table({
    style: TABLE_STYLE,
    head: ['schedule', 'pipeline', 'cron', 'state', 'next run', 'last run'],
  });
  for (const s of schedules) {
    table.push([s.scheduleId, s.pipeline, s.cron, state(s), nextRun(s), lastRun(s)]);
  }
  return table.toString();
}

/** One schedule, field by field. */
export function renderSchedule(s: ScheduleInfo): string {
  const rows: [string, string][] = [
    ['schedule', s.scheduleId],
    ['pipeline', s.pipeline],
    ['model', s.model ?? '—'],
    ['cron', s.cron],
    ['state', state(s)],
    ['overlap', s.overlap],
    ['catch-up window', `${Math.round(s.catchupWindowMs / 1000)}s`],
    ['created by', s.createdBy ?? '—'],
    ['input digest', s.inputDigest ?? '—'],
    ['expires', s.expiresAt ?? 'never'],
    [
      'next runs',
      s.nextRunTimes
        .slice(0, 3)
        .map((t) => t.toISOString())
        .join(', ') || '—',
    ],
    ['runs started', String(s.runsStarted)],
    ['last run', lastRun(s)],
  ];
  return rows.map(([k, v]) => `${pc.dim(k.padEnd(16))}${v}`).join('\n');
}

function state(s: ScheduleInfo): string {
  if (!s.paused) return pc.green('active');
  return `${pc.yellow('paused')}${s.note ? ` (${s.note})` : ''}`;
}

function nextRun(s: ScheduleInfo): string {
  return s.nextRunTimes[0]?.toISOString() ?? '—';
}

function lastRun(s: ScheduleInfo): string {
  if (!s.lastRun) return '—';
  return `${s.lastRun.runId} ${s.lastRun.status}`;
}
