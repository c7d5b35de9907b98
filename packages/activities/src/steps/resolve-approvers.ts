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
 * The `slipway.resolveApprovers` activity: reads the worker's directory of people (a configured file is trusted
 * only when its administrator signature verifies, else the read fails with `SlipwayInvalidDirectory`) and resolves
 * the policy's approvers from it, each with their public key and the services trusted to sign for them (and, when
 * asked, the members of its escalation groups), plus the public keys of the people in `lookup`.
 * Returns those and the directory's digest, never the directory. Without a directory, a policy naming groups fails
 * with `SlipwayDirectoryNotConfigured`; one naming people only resolves to them, with no keys and no digest.
 * Reading is side-effect free, so a retried call simply reads again.
 */
export function createResolveApproversActivity(deps: { directory?: DirectorySource | undefined }) {
  return async (
    input: StepParsedInput<typeof resolveApproversStep>,
  ): Promise<StepOutput<typeof resolveApproversStep>> => {
    const groups = [...input.approverGroups, ...(input.escalateTo ?? [])];
    if (!deps.directory) {
      if (groups.length === 0) return resolveApprovers(input);
      throw finalFailure(SlipwayErrorType.DirectoryNotConfigured, directoryRequiredMessage(groups));
    }
    const { directory, digest } = await deps.directory.read();
    return resolveApprovers(input, { people: directory.people, digest, services: directory.services });
  };
}
