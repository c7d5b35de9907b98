import { defineQuery, setHandler } from '@temporalio/workflow';
import { SlipwayMessage } from '../messages.js';
import type { GateState } from '../schemas/approval.js';
import type { DeployWaitState } from '../schemas/deploy-wait.js';
import type { RolloutState } from '../schemas/rollout-state.js';
import type { RunProgress, StepProgress } from '../schemas/progress.js';

/** Query: the run's progress. */
export const progressQuery = defineQuery<RunProgress>(SlipwayMessage.progress);
/** Query: the gate's state, or null when no gate is open yet. */
export const gateStateQuery = defineQuery<GateState | null>(SlipwayMessage.gateState);

/**
 * Tracks a run step by step and answers the progress and gate queries, so `slipway status` and the client
 * can show which step is running, what each finished step produced and what the gate is waiting for.
 * Create it at the top of the workflow function, before any `await`.
 */
export class RunTracker {
  private readonly steps: StepProgress[];
  private gateSource: () => GateState | null = () => null;
  private rolloutSource?: () => RolloutState;
  private deployWaitSource?: () => DeployWaitState;

  constructor(
    private readonly pipeline: string,
    stepNames: readonly string[],
    private readonly model?: string,
  ) {
    this.steps = stepNames.map((step) => ({ step, status: 'pending' }));
    setHandler(progressQuery, () => this.snapshot());
    setHandler(gateStateQuery, () => this.gateSource());
  }

  /**
   * Runs one step, recording start, end, outcome and a one-line summary of its result. Written as one continuation
   * rather than async/await: it wraps every step, and each promise a workflow creates costs a stack trace in
   * Temporal's workflow runtime.
   */
  run<T>(step: string, fn: () => Promise<T>, summarize?: (result: T) => string): Promise<T> {
    const entry = this.entry(step);
    entry.status = 'running';
    entry.startedAt = new Date().toISOString();
    const markFailed = (err: unknown) => {
      entry.status = 'failed';
      entry.summary = err instanceof Error ? err.message : String(err);
      entry.finishedAt = new Date().toISOString();
    };
    let running: Promise<T>;
    try {
      // `fn`'s own promise when it returns one (no promise more); a value it returns is taken as it is.
      running = Promise.resolve(fn());
    } catch (err) {
      markFailed(err);
      // The reason `fn` threw, unchanged, as an async function would reject with it.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(err);
    }
    return running.then(
      (result) => {
        entry.status = 'completed';
        try {
          if (summarize) entry.summary = summarize(result);
        } catch (err) {
          markFailed(err);
          throw err;
        }
        entry.finishedAt = new Date().toISOString();
        return result;
      },
      (err: unknown) => {
        markFailed(err);
        throw err;
      },
    );
  }

  /** Marks a step that will not run, with the reason. */
  skip(step: string, reason: string): void {
    const entry = this.entry(step);
    entry.status = 'skipped';
    entry.summary = reason;
  }

  /** Sets the one-line summary of a step while it runs (e.g. what it waits for). */
  note(step: string, summary: string): void {
    this.entry(step).summary = summary;
  }

  /** Lets the progress query show a rollout's live state. */
  attachRollout(source: () => RolloutState): void {
    this.rolloutSource = source;
  }

  /** Lets the progress query show the wait of a run whose deploy failed. */
  attachDeployWait(source: () => DeployWaitState): void {
    this.deployWaitSource = source;
  }

  /** Lets the gate query read the gate's live state. */
  attachGate(source: () => GateState | null): void {
    this.gateSource = source;
  }

  /** The current progress. */
  snapshot(): RunProgress {
    return {
      pipeline: this.pipeline,
      ...(this.model === undefined ? {} : { model: this.model }),
      steps: this.steps.map((s) => ({ ...s })),
      gate: this.gateSource(),
      ...(this.rolloutSource ? { rollout: this.rolloutSource() } : {}),
      ...(this.deployWaitSource ? { deployWait: this.deployWaitSource() } : {}),
    };
  }

  private entry(step: string): StepProgress {
    let entry = this.steps.find((s) => s.step === step);
    if (!entry) {
      entry = { step, status: 'pending' };
      this.steps.push(entry);
    }
    return entry;
  }
}
