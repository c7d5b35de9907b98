import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import type { AnyPipeline, PipelineInput } from '../pipeline.js';
import { builtinPipelines } from '../pipelines/builtin.js';
import { startInputDigest } from '../signing/payloads.js';
import type { PersonKey } from '../keys/person-keys.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';
import { callerIdentity, withStartedBy } from './identity.js';
import { checkPipelineInput } from './pipeline-input.js';
import {
  SCHEDULE_ID_PREFIX,
  modelOfInput,
  overlapName,
  parseCatchupWindow,
  parseCron,
  parseExpiry,
  parseOverlap,
  scheduleIdOf,
  type ScheduleOverlap,
} from './schedule-spec.js';
import { signScheduledStart, type KeyFinder } from './signing.js';
import { modelSearchAttributes } from './model-attribute.js';
import { routedInput } from './route-steps.js';
import type { StepQueues } from '../step-queues.js';

/** Pipelines that always run under one fixed workflow id per model, so a schedule cannot start them. */
const FIXED_ID_PIPELINES: ReadonlySet<string> = new Set(['deployVersion', 'rolloutVersion', 'rollbackModel']);

/** Options of `slipway.schedules.create`. */
export interface ScheduleCreateOptions<I = unknown> {
  /** When runs start: a 5-field cron expression (`0 6 * * 1`) or `@hourly`, `@daily`, `@weekly`, `@monthly`. */
  cron: string;
  /** Every run's input, fully resolved (file paths already read: see `readRunInput`); checked against the contract. */
  input: I;
  /** The schedule's name within its pipeline and model (default `default`): the id is `schedule:<pipeline>:<model>:<name>`. */
  name?: string;
  /** When a run is due while the previous one still runs (default `skip`). */
  overlap?: ScheduleOverlap;
  /** How late a run missed during an outage may still start (default `15m`, at least `10s`). */
  catchupWindow?: string;
  /** A note shown by `list` (e.g. why the schedule exists). */
  note?: string;
  /** When the signed start (and the schedule) expires: an ISO time or a duration from now (`90d`). Default: never. */
  expires?: string;
  /** Create it paused (it starts nothing until unpaused). */
  paused?: boolean;
  /** The key to sign the scheduled start with, instead of the key file of the client's `user`. */
  key?: PersonKey;
}

/** The last run a schedule started. */
export interface ScheduleLastRun {
  /** Its run id (workflow id): `<schedule id>-<time>`. */
  runId: string;
  scheduledAt: Date;
  /** Temporal's status of the run (`RUNNING`, `COMPLETED`, `FAILED`, …), or `UNKNOWN` when it cannot be read. */
  status: string;
}

/** A schedule as Slipway shows it. */
export interface ScheduleInfo {
  scheduleId: string;
  pipeline: string;
  /** The model the scheduled input names, if any. */
  model?: string;
  cron: string;
  /** The overlap policy by its Slipway name (`skip`, `buffer-one`, `allow-all`, `cancel-other`). */
  overlap: string;
  catchupWindowMs: number;
  paused: boolean;
  note?: string;
  /** Who created the schedule and signed its start. */
  createdBy?: string;
  /** The digest of the input every run starts with (resolved and signed at creation). */
  inputDigest?: string;
  expiresAt?: string;
  /** The next times a run is due (empty while paused or expired). */
  nextRunTimes: Date[];
  /** How many runs the schedule has started (cron and triggers). */
  runsStarted: number;
  lastRun?: ScheduleLastRun;
}

/** What the schedules API needs from its `SlipwayClient`. */
export interface SchedulesContext {
  temporal: Client;
  taskQueue: string;
  user: string | undefined;
  /** Default task queues per step (see `SlipwayClientOptions.stepQueues`). */
  stepQueues?: StepQueues;
  keyOf: (given: PersonKey | undefined) => KeyFinder;
}

interface ScheduleMemo {
  pipeline: string;
  model?: string;
  cron: string;
  createdBy: string;
  inputDigest: string;
  expiresAt?: string;
}

/**
 * Runs of any pipeline on Temporal Schedules (`slipway.schedules`): create, list, describe, pause, unpause,
 * trigger and delete. The input is resolved and checked when the schedule is created, and its start is signed then
 * by the creator (a `scheduled` field every run carries): each run verifies that signature against the creator's
 * key in the directory of people, and that Temporal started it for this schedule.
 */
export class SlipwaySchedules {
  /** @internal */
  constructor(private readonly context: SchedulesContext) {}

  /**
   * Creates a schedule of `pipeline` (a contract, or a built-in pipeline's name) with id
   * `schedule:<pipeline>:<model>:<name>`. Refuses, before Temporal is asked: an unknown pipeline
   * (`UnknownPipeline`), a bad cron, overlap, catch-up window or expiry, or an input that fails the contract
   * (`InvalidInput`, naming the field), and an id that exists (`ScheduleExists`).
   */
  async create<C extends AnyPipeline>(
    pipeline: C | string,
    options: ScheduleCreateOptions<PipelineInput<C>>,
  ): Promise<ScheduleInfo> {
    const contract = pipelineContract(pipeline);
    const cron = parseCron(options.cron);
    const overlap = parseOverlap(options.overlap);
    const catchupWindow = parseCatchupWindow(options.catchupWindow);
    const expiresAt = parseExpiry(options.expires, new Date());
    const signer = callerIdentity(this.context.user);
    const input = withStartedBy(routedInput(contract, options.input, this.context.stepQueues), signer);
    checkPipelineInput(contract, input);
    const model = modelOfInput(input);
    const scheduleId = scheduleIdOf(contract.name, model, options.name ?? 'default');
    if (await this.exists(scheduleId)) throw exists(scheduleId);
    const signed = await signScheduledStart(
      { pipeline: contract.name, scheduleId, cron, expiresAt, input, signer },
      this.context.keyOf(options.key),
    );
    const memo: ScheduleMemo = {
      pipeline: contract.name,
      ...(model ? { model } : {}),
      cron,
      createdBy: signer,
      inputDigest: startInputDigest(signed),
      ...(expiresAt ? { expiresAt } : {}),
    };
    try {
      await this.context.temporal.schedule.create({
        scheduleId,
        spec: { cronExpressions: [cron], ...(expiresAt ? { endAt: new Date(expiresAt) } : {}) },
        action: {
          type: 'startWorkflow',
          workflowType: contract.name,
          workflowId: scheduleId,
          taskQueue: this.context.taskQueue,
          args: [signed],
          ...modelSearchAttributes(signed),
        },
        policies: { overlap, catchupWindow },
        state: { paused: options.paused ?? false, ...(options.note ? { note: options.note } : {}) },
        memo: { slipway: memo },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw exists(scheduleId, err);
      throw err;
    }
    return this.describe(scheduleId);
  }

  /** Every Slipway schedule (ids `schedule:…`) in the namespace, with next run times and its last run's status. */
  async list(): Promise<ScheduleInfo[]> {
    const ids: string[] = [];
    for await (const summary of this.context.temporal.schedule.list()) {
      if (summary.scheduleId.startsWith(SCHEDULE_ID_PREFIX)) ids.push(summary.scheduleId);
    }
    // A schedule deleted between the listing and its description is left out; any other failure is thrown.
    const found = await Promise.all(ids.sort().map((id) => this.describe(id).catch(unlessUnknown)));
    return found.filter((info): info is ScheduleInfo => info !== undefined);
  }

  /** One schedule. Throws `UnknownSchedule`. */
  async describe(scheduleId: string): Promise<ScheduleInfo> {
    const description = await this.call(scheduleId, (handle) => handle.describe());
    return scheduleInfo(description, await this.lastRun(description));
  }

  /** Pauses a schedule: it starts nothing (cron or trigger) until unpaused. `note` says why (shown by `list`). */
  async pause(scheduleId: string, note?: string): Promise<ScheduleInfo> {
    await this.call(scheduleId, (handle) => handle.pause(note ?? 'paused with slipway'));
    return this.describe(scheduleId);
  }

  /** Unpauses a schedule: its cron starts runs again. */
  async unpause(scheduleId: string, note?: string): Promise<ScheduleInfo> {
    await this.call(scheduleId, (handle) => handle.unpause(note ?? 'unpaused with slipway'));
    return this.describe(scheduleId);
  }

  /**
   * Starts a run of the schedule now (with its overlap policy). Refused with `SchedulePaused` for a paused schedule
   * (Temporal would start it anyway); `UnknownSchedule` for a missing one.
   */
  async trigger(scheduleId: string): Promise<void> {
    const description = await this.call(scheduleId, (handle) => handle.describe());
    if (description.state.paused) {
      throw new SlipwayClientError(
        ClientErrorCode.SchedulePaused,
        `schedule ${scheduleId} is paused${description.state.note ? ` (${description.state.note})` : ''}: it starts nothing until \`slipway schedule unpause ${scheduleId}\``,
      );
    }
    await this.call(scheduleId, (handle) => handle.trigger());
  }

  /** Deletes a schedule: it starts nothing more (runs it started go on). Throws `UnknownSchedule`. */
  async delete(scheduleId: string): Promise<void> {
    await this.call(scheduleId, (handle) => handle.delete());
  }

  private async exists(scheduleId: string): Promise<boolean> {
    return this.describe(scheduleId).then(
      () => true,
      (err: unknown) => {
        if (err instanceof SlipwayClientError && err.code === ClientErrorCode.UnknownSchedule) return false;
        throw err;
      },
    );
  }

  private async lastRun(description: ScheduleDescription): Promise<ScheduleLastRun | undefined> {
    const last = description.info.recentActions.at(-1);
    if (!last) return undefined;
    const runId = last.action.workflow.workflowId;
    const status = await this.context.temporal.workflow
      .getHandle(runId, last.action.workflow.firstExecutionRunId)
      .describe()
      .then(
        (d) => d.status.name,
        () => 'UNKNOWN',
      );
    return { runId, scheduledAt: last.scheduledAt, status };
  }

  private async call<T>(scheduleId: string, fn: (handle: ScheduleHandle) => Promise<T>): Promise<T> {
    try {
      return await fn(this.context.temporal.schedule.getHandle(scheduleId));
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) {
        throw new SlipwayClientError(
          ClientErrorCode.UnknownSchedule,
          `no schedule with id "${scheduleId}" exists in this namespace (see slipway schedule list)`,
          { cause: err },
        );
      }
      throw err;
    }
  }
}

/** The contract of a pipeline given by contract or by built-in name; refusals name what is wrong. */
function pipelineContract(pipeline: AnyPipeline | string): AnyPipeline {
  if (typeof pipeline !== 'string') return schedulable(pipeline);
  const contract = Object.values(builtinPipelines).find((c: AnyPipeline) => c.name === pipeline);
  if (!contract) {
    const known = Object.keys(builtinPipelines).join(', ');
    throw new SlipwayClientError(
      ClientErrorCode.UnknownPipeline,
      `unknown pipeline "${pipeline}": the built-in pipelines are ${known}; schedule a custom pipeline with its contract (SlipwayClient.schedules.create(contract, …))`,
    );
  }
  return schedulable(contract);
}

/** The contract, unless its pipeline runs under one fixed id per model (a schedule gives each run its own). */
function schedulable(contract: AnyPipeline): AnyPipeline {
  if (FIXED_ID_PIPELINES.has(contract.name)) {
    throw new SlipwayClientError(
      ClientErrorCode.InvalidInput,
      `pipeline "${contract.name}" cannot be scheduled: it runs under one fixed id per model, and a schedule starts each run under its own id`,
    );
  }
  return contract;
}

function unlessUnknown(err: unknown): undefined {
  if (err instanceof SlipwayClientError && err.code === ClientErrorCode.UnknownSchedule) return undefined;
  throw err;
}

function exists(scheduleId: string, cause?: unknown): SlipwayClientError {
  return new SlipwayClientError(
    ClientErrorCode.ScheduleExists,
    `a schedule with id "${scheduleId}" already exists: choose another name (--id), or delete it first with \`slipway schedule delete ${scheduleId}\``,
    { cause },
  );
}

function scheduleInfo(d: ScheduleDescription, lastRun: ScheduleLastRun | undefined): ScheduleInfo {
  const memo = (d.memo?.slipway ?? {}) as Partial<ScheduleMemo>;
  const action = d.action.type === 'startWorkflow' ? d.action : undefined;
  return {
    scheduleId: d.scheduleId,
    pipeline: memo.pipeline ?? action?.workflowType ?? '?',
    ...(memo.model ? { model: memo.model } : {}),
    cron: memo.cron ?? '?',
    overlap: overlapName(d.policies.overlap ?? 'SKIP'),
    catchupWindowMs: d.policies.catchupWindow,
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    ...(memo.createdBy ? { createdBy: memo.createdBy } : {}),
    ...(memo.inputDigest ? { inputDigest: memo.inputDigest } : {}),
    ...(memo.expiresAt ? { expiresAt: memo.expiresAt } : {}),
    nextRunTimes: d.state.paused ? [] : d.info.nextActionTimes,
    runsStarted: d.info.numActionsTaken,
    ...(lastRun ? { lastRun } : {}),
  };
}
