import type { z } from 'zod';
import type { AnyPipeline, PipelineOutput, PipelineParsedInput } from '../pipeline.js';
import { autoApproveRuleProblem } from '../metric-goals.js';
import type { AutoApproveRule } from '../schemas/approval.js';
import { describeIssues } from '../step.js';
import { ClientErrorCode, SlipwayClientError, type FieldIssue } from './errors.js';

/**
 * Checks a run's input against a pipeline contract, before anything starts. A bad input throws a
 * `SlipwayClientError` with code `InvalidInput` whose message starts with `source` and names every failing field
 * path (e.g. `pipeline.json: approval.quorum: Invalid input: expected number, received string`); the same fields
 * are in its `issues`. Returns the parsed input (defaults applied).
 *
 * @param source - where the input came from, for the message: a file name, or by default the pipeline's input.
 */
export function checkPipelineInput<C extends AnyPipeline>(
  contract: C,
  input: unknown,
  source = `the input of pipeline "${contract.name}"`,
): PipelineParsedInput<C> {
  const result = (contract.input as z.ZodType).safeParse(input);
  if (result.success) {
    const problem = approvalPolicyProblem(result.data);
    if (problem === undefined) return result.data as PipelineParsedInput<C>;
    const [path = '', message = problem] = problem.split(/: (.*)/s);
    throw new SlipwayClientError(ClientErrorCode.InvalidInput, `${source}: ${problem}`, {
      issues: [{ path: path.split('.'), message }],
    });
  }
  throw new SlipwayClientError(ClientErrorCode.InvalidInput, `${source}: ${describeIssues(result.error, Infinity)}`, {
    issues: fieldIssues(result.error),
  });
}

/**
 * Parses a run's result with its pipeline contract's output schema. A result that does not match throws
 * `InvalidOutput` naming every failing field path (e.g. a worker that runs other code under the pipeline's name).
 */
export function parsePipelineOutput<C extends AnyPipeline>(
  contract: C,
  value: unknown,
  runId: string,
): PipelineOutput<C> {
  const result = (contract.output as z.ZodType).safeParse(value);
  if (result.success) return result.data as PipelineOutput<C>;
  throw new SlipwayClientError(
    ClientErrorCode.InvalidOutput,
    `the result of run ${runId} does not match the output of pipeline "${contract.name}": ${describeIssues(result.error, Infinity)}`,
    { issues: fieldIssues(result.error) },
  );
}

/** What is wrong with the auto-approve rule of a parsed input's `approval` policy (the gate refuses it too). */
function approvalPolicyProblem(parsed: unknown): string | undefined {
  const approval = (parsed as { approval?: { autoApprove?: AutoApproveRule } } | null)?.approval;
  return approval?.autoApprove === undefined ? undefined : autoApproveRuleProblem(approval.autoApprove);
}

function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
}
