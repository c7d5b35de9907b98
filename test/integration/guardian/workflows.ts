/**
 * Slipway's pipelines plus a workflow that is not the model guardian but starts a retrain the way the guardian
 * does: its child must refuse to run.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { trainAndPromote } from '@slipway/sdk/pipelines';

export * from '@slipway/sdk/pipelines';

/** Starts `trainAndPromote` as `retrain:<model>` with the given input and returns how it ended. */
export async function impostorParent(input: Parameters<typeof trainAndPromote>[0]): Promise<string> {
  const child = await startChild(trainAndPromote, {
    workflowId: `retrain:${input.modelName}`,
    args: [input],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
  });
  try {
    await child.result();
    return 'completed';
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause;
    return cause?.message ?? (err instanceof Error ? err.message : String(err));
  }
}
