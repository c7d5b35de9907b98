/**
 * What a schedule is made of, checked before Temporal is asked: its cron expression (each field named when it is
 * wrong), its overlap policy, its catch-up window, its expiry and its id, namespaced per pipeline and model
 * (`schedule:<pipeline>:<model>:<name>`).
 */
import { durationMs } from '../duration.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';

/** What happens when a run is due while the schedule's previous run is still running. */
export const ScheduleOverlap = {
  /** Start nothing (the default): the due run is skipped. */
  skip: 'SKIP',
  /** Start it once the running one has finished (at most one waits). */
  'buffer-one': 'BUFFER_ONE',
  /** Start it at once, next to the running one. */
  'allow-all': 'ALLOW_ALL',
  /** Cancel the running one, then start it. */
  'cancel-other': 'CANCEL_OTHER',
} as const;
/** An overlap policy by its Slipway name (`skip`, `buffer-one`, `allow-all`, `cancel-other`). */
export type ScheduleOverlap = keyof typeof ScheduleOverlap;

/** The catch-up window when none is given: runs missed by an outage longer than this are not started late. */
export const DEFAULT_CATCHUP_WINDOW = '15m';

/** The prefix of every schedule id Slipway makes. */
export const SCHEDULE_ID_PREFIX = 'schedule:';

const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;

const CRON_ALIASES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Checks a cron expression: five fields (`minute hour day-of-month month day-of-week`, each `*`, a number, a
 * range `a-b`, a list `a,b`, a step `*\/n` or `a-b/n`; month and day-of-week also take names like `jan`, `mon`), or
 * one of `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`. Returns it trimmed, single-spaced. Throws
 * `InvalidInput` naming the field and what is wrong with it.
 */
export function parseCron(expression: string): string {
  const text = expression.trim().replace(/\s+/g, ' ');
  if (CRON_ALIASES.has(text.toLowerCase())) return text.toLowerCase();
  const fields = text === '' ? [] : text.split(' ');
  if (fields.length !== CRON_FIELDS.length) {
    throw invalid(
      `cron "${expression}": expected 5 fields (minute hour day-of-month month day-of-week, e.g. "0 6 * * 1"), or @hourly, @daily, @weekly, @monthly; got ${fields.length}`,
    );
  }
  fields.forEach((field, i) => {
    const spec = CRON_FIELDS[i]!;
    const problem = cronFieldProblem(field.toLowerCase(), spec);
    if (problem) throw invalid(`cron "${expression}": field ${spec.name} "${field}": ${problem}`);
  });
  return text;
}

function cronFieldProblem(field: string, spec: (typeof CRON_FIELDS)[number]): string | undefined {
  const names: readonly string[] = 'names' in spec ? spec.names : [];
  const value = (text: string): number | undefined => {
    const named = names.indexOf(text);
    if (named >= 0) return named + (spec.name === 'month' ? 1 : 0);
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  for (const part of field.split(',')) {
    const [range = '', step, extra] = part.split('/');
    if (extra !== undefined) return `"${part}" has more than one "/"`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `step "${step}" is not a positive whole number`;
    if (range === '*') continue;
    const ends = range.split('-');
    if (ends.length > 2) return `"${range}" is not a value or a range a-b`;
    const values = ends.map(value);
    if (values.some((v) => v === undefined)) {
      return `"${range}" is not ${names.length ? `a number or a name (${names.join(', ')})` : 'a number'}`;
    }
    const nums = values as number[];
    const out = nums.find((v) => v < spec.min || v > spec.max);
    if (out !== undefined) return `${out} is out of range ${spec.min}-${spec.max}`;
    if (nums.length === 2 && nums[0]! > nums[1]!) return `range ${range} goes backwards`;
  }
  return undefined;
}

/** The Temporal overlap policy of a Slipway overlap name; `InvalidInput` naming the choices otherwise. */
export function parseOverlap(name: string | undefined): (typeof ScheduleOverlap)[ScheduleOverlap] {
  if (name === undefined) return ScheduleOverlap.skip;
  if (Object.hasOwn(ScheduleOverlap, name)) return ScheduleOverlap[name as ScheduleOverlap];
  throw invalid(`overlap "${name}": expected one of ${Object.keys(ScheduleOverlap).join(', ')}`);
}

/** The Slipway name of a Temporal overlap policy (`BUFFER_ONE` → `buffer-one`); other policies lower-cased. */
export function overlapName(policy: string): string {
  const found = Object.entries(ScheduleOverlap).find(([, v]) => v === policy)?.[0];
  return found ?? policy.toLowerCase().replace(/_/g, '-');
}

/** A catch-up window in milliseconds (default {@link DEFAULT_CATCHUP_WINDOW}); at least 10 s, as Temporal asks. */
export function parseCatchupWindow(text: string | undefined): number {
  const ms = parseDuration(text ?? DEFAULT_CATCHUP_WINDOW, 'catchup');
  if (ms < 10_000) throw invalid(`catchup "${text}": the catch-up window is at least 10s`);
  return ms;
}

/**
 * When a schedule's signed start expires: an ISO time (`2027-01-01T00:00:00Z`) or a duration from `now` (`90d`).
 * Returns the ISO time, or undefined for none. `InvalidInput` for anything else, or a time not in the future.
 */
export function parseExpiry(text: string | undefined, now: Date): string | undefined {
  if (text === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : now.getTime() + parseDuration(text, 'expires');
  if (Number.isNaN(at))
    throw invalid(`expires "${text}": expected an ISO time (2027-01-01T00:00:00Z) or a duration (90d)`);
  if (at <= now.getTime()) throw invalid(`expires "${text}": ${new Date(at).toISOString()} is not in the future`);
  return new Date(at).toISOString();
}

/**
 * The id of a schedule: `schedule:<pipeline>:<model>:<name>` (`model` is `-` for a pipeline whose input names no
 * model). Names are letters, digits, `.`, `_` and `-`.
 */
export function scheduleIdOf(pipeline: string, model: string | undefined, name: string): string {
  for (const [what, value] of [
    ['name', name],
    ['model', model ?? '-'],
  ] as const) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$|^-$/.test(value)) {
      throw invalid(
        `schedule ${what} "${value}": use letters, digits, ".", "_" and "-" (starting with a letter or digit)`,
      );
    }
  }
  return `${SCHEDULE_ID_PREFIX}${pipeline}:${model ?? '-'}:${name}`;
}

/** The model a run input names (`modelName` or `model`), if any. */
export function modelOfInput(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { modelName, model } = input as { modelName?: unknown; model?: unknown };
  const named = typeof modelName === 'string' ? modelName : model;
  return typeof named === 'string' && named !== '' ? named : undefined;
}

function parseDuration(text: string, field: string): number {
  try {
    return durationMs(text);
  } catch {
    throw invalid(`${field} "${text}": expected a duration such as "30s", "15m", "12h" or "7d"`);
  }
}

function invalid(message: string): SlipwayClientError {
  return new SlipwayClientError(ClientErrorCode.InvalidInput, message);
}
