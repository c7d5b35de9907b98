/**
 * The activity inbound interceptor that records Slipway's step series: each execution's duration by step and
 * outcome, then (for a completed step) what the step says about gates, rollouts and drift (`observeStep`).
 */
import { CancelledFailure } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  Next,
} from '@temporalio/worker';
import { observeStep } from './step-observations.js';
import { StepOutcome, type WorkerMetrics } from './worker-metrics.js';

/** The activity's context, as the worker gives it to an interceptor factory. */
type ActivityContext = Parameters<ActivityInterceptorsFactory>[0];

/** The interceptor factory for `Worker.create({ interceptors: { activity: [...] } })`. */
export function metricsActivityInterceptor(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({ inbound: new StepMetricsInterceptor(ctx, metrics) });
}

class StepMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly metrics: WorkerMetrics,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const step = this.ctx.info.activityType;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let output: unknown;
    try {
      output = await next(input);
    } catch (err) {
      const cancelled = err instanceof CancelledFailure || this.ctx.cancellationSignal.aborted;
      this.metrics.stepFinished(step, cancelled ? StepOutcome.cancelled : StepOutcome.failed, seconds());
      throw err;
    }
    this.metrics.stepFinished(step, StepOutcome.completed, seconds());
    // Read after the step completed, off its path: the result goes back to the workflow at once.
    void observeStep(step, { metrics: this.metrics, ...this.run() }, input.args[0], output);
    return output;
  }

  private run(): { run?: { workflowId: string; runId: string; client: () => ActivityContext['client'] } } {
    const execution = this.ctx.info.workflowExecution;
    if (!this.ctx.info.inWorkflow || !execution) return {};
    return { run: { workflowId: execution.workflowId, runId: execution.runId, client: () => this.ctx.client } };
  }
}
