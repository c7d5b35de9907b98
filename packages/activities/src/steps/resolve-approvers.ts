import {
  SlipwayErrorType,
  directoryRequiredMessage,
  finalFailure,
  resolveApprovers,
  type StepOutput,
  type StepParsedInput,
  type resolveApproversStep,
} from '@slipway/sdk';
import type { DirectorySource } from '../ports.js';

/**
 * The `slipway.resolveApprovers` activity: reads the directory of people (only when the policy names groups)
 * and resolves the policy's approvers from it. Returns the resolved approvers and the directory's digest, not the
 * directory. Reading is side-effect free, so a retried call simply reads again.
 */
export function createResolveApproversActivity(deps: { directory?: DirectorySource | undefined }) {
  return async (
    input: StepParsedInput<typeof resolveApproversStep>,
  ): Promise<StepOutput<typeof resolveApproversStep>> => {
    if (input.approverGroups.length === 0) return resolveApprovers(input);
    if (!deps.directory) {
      throw finalFailure(SlipwayErrorType.DirectoryNotConfigured, directoryRequiredMessage(input.approverGroups));
    }
    const { directory, digest } = await deps.directory.read();
    return resolveApprovers(input, { people: directory.people, digest });
  };
}
