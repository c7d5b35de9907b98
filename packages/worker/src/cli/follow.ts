import type { RunProgress, StepProgress } from '@slipway/sdk';
import type { SlipwayClient, WorkflowTaskFailure } from '@slipway/sdk/client';

/** When `followRun` stops: when the gate waits for a decision, or when the run ends (or its workflow task fails). */
export type FollowUntil = 'gate' | 'end';

/** What `followRun` saw last; pass `seen` to a later call so it reports only what changed since. */
export interface FollowResult {
  status: string;
  progress?: RunProgress;
  seen: Map<string, string>;
  /** Set when the run is open but its workflow task keeps failing: it cannot go on until the worker is fixed. */
  workflowTaskFailure?: WorkflowTaskFailure;
}

/**
 * Polls a run and calls `onStep` whenever a step changes status, until the gate is pending (`'gate'`) or the
 * run is closed (`'end'`), or its workflow task fails (it would wait forever otherwise). Returns the last status
 * seen.
 */
export async function followRun(
  client: SlipwayClient,
  runId: string,
  options: {
    until: FollowUntil;
    onStep?: (step: StepProgress, progress: RunProgress) => void;
    intervalMs?: number;
    seen?: Map<string, string>;
  },
): Promise<FollowResult> {
  const seen = options.seen ?? new Map<string, string>();
  for (;;) {
    const status = await client.status(runId);
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
