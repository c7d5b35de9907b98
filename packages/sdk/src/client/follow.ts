import type { RunProgress, StepProgress } from '../schemas/progress.js';
import type { WorkflowTaskFailure } from './workflow-task-failure.js';

/** When `follow` stops: when the gate waits for a decision, or when the run ends (or its workflow task fails). */
export type FollowUntil = 'gate' | 'end';

/** How `SlipwayClient.follow` follows a run. */
export interface FollowOptions {
  /** Stop when the gate waits for a decision (`'gate'`) or only when the run is closed (`'end'`). */
  until: FollowUntil;
  /** Called once per change of a step (status, summary, or the gate's status for the approval step). */
  onStep?: (step: StepProgress, progress: RunProgress) => void;
  /** How long to wait between polls (default 500 ms). */
  intervalMs?: number;
  /** What an earlier call saw (its result's `seen`): only changes since are reported. */
  seen?: Map<string, string>;
}

/** What `follow` saw last; pass `seen` to a later call so it reports only what changed since. */
export interface FollowResult {
  status: string;
  progress?: RunProgress;
  seen: Map<string, string>;
  /** Set when the run is open but its workflow task keeps failing: it cannot go on until the worker is fixed. */
  workflowTaskFailure?: WorkflowTaskFailure;
}

/** What `followRun` reads on each poll: a run's status as `SlipwayClient.status` gives it. */
export interface FollowedStatus {
  status: string;
  progress?: RunProgress;
  workflowTaskFailure?: WorkflowTaskFailure;
}

/**
 * Polls `readStatus` and calls `onStep` whenever a step changes status, until the gate is pending (`'gate'`) or
 * the run is closed (`'end'`), or its workflow task fails (it would wait forever otherwise). Returns the last
 * status seen. `SlipwayClient.follow` is this with the client's `status`.
 */
export async function followRun(
  readStatus: () => Promise<FollowedStatus>,
  options: FollowOptions,
): Promise<FollowResult> {
  const seen = options.seen ?? new Map<string, string>();
  for (;;) {
    const status = await readStatus();
    const { progress, workflowTaskFailure } = status;
    if (workflowTaskFailure) return { status: status.status, seen, workflowTaskFailure };
    for (const step of progress?.steps ?? []) {
      const gate = step.step === 'approval' ? (progress?.gate?.status ?? '') : '';
      const key = `${step.status}|${step.summary ?? ''}|${gate}`;
      if (seen.get(step.step) === key || step.status === 'pending') continue;
      seen.set(step.step, key);
      if (progress) options.onStep?.(step, progress);
    }
    const closed = status.status !== 'RUNNING';
    const gateWaiting = progress?.gate?.status === 'pending';
    if (closed || (options.until === 'gate' && gateWaiting))
      return { status: status.status, seen, ...(progress ? { progress } : {}) };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}
