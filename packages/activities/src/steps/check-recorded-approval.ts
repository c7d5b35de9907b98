/**
 * The check activity of `slipway deploy <model>@<version>`: may this version be deployed on the approval the
 * registry records for it, without a new gate? Everything is read and verified here, where it acts, before anything
 * changes; each refusal is final and names the version and why.
 */
import {
  SlipwayErrorType,
  deployVersion,
  type FinalErrorType,
  finalFailure,
  resolveApprovers,
  withoutEscalation,
  startInputDigest,
  type StepParsedInput,
  type checkRecordedApprovalStep,
} from '@slipway/sdk';
import type { LoadedDirectory } from '../directory/load-directory.js';
import { missingApprovalReason, readRecordedApproval, rolledBackSince } from '../approval/recorded-approval.js';
import { directoryKeyOf, startSignatureProblem } from '../approval/signatures.js';
import { verifyApprovalProof } from '../approval/verify-proof.js';
import type { ArtifactStore, DirectorySource, ModelRegistry } from '../ports.js';
import { currentStepIdentity } from '../util/idempotency.js';

/** What the check needs: the registry and artifact store (the approval on record), and the directory of people. */
export interface CheckRecordedApprovalDeps {
  registry: ModelRegistry;
  artifacts: ArtifactStore;
  directory?: DirectorySource | undefined;
}

type CheckInput = StepParsedInput<typeof checkRecordedApprovalStep>;

/**
 * Creates the `slipway.checkRecordedApproval` activity. In order, each a final failure naming the version:
 * no directory of people (`SlipwayDirectoryNotConfigured`); a start that does not verify or names another version
 * (`SlipwayUnverifiedStart`); no approval on record, or one recorded before proofs were stored, or a version rolled
 * back since its approval (`SlipwayNotApproved`); a proof that no longer verifies against the directory
 * (`SlipwayInvalidApprovalProof`); a starter whom the recorded policy does not let decide, and an approval given
 * against another champion than the one serving now (`SlipwayNotApproved`).
 */
export function createCheckRecordedApprovalActivity(deps: CheckRecordedApprovalDeps) {
  return async (input: CheckInput) => {
    const { name, version } = input.version;
    const refuse = (type: FinalErrorType, reason: string) =>
      finalFailure(type, `Refusing to deploy model "${name}" version ${version}: ${reason}`, {
        model: name,
        version,
        reason,
      });
    if (deps.directory === undefined) {
      throw refuse(
        SlipwayErrorType.DirectoryNotConfigured,
        'no directory of people is configured on this worker, so its approval cannot be verified',
      );
    }
    const directory = await deps.directory.read();
    const startProblem = signedStartProblem(input, directory);
    if (startProblem) throw refuse(SlipwayErrorType.UnverifiedStart, startProblem);
    const recorded = await readRecordedApproval(deps, name, version);
    if (recorded === null) {
      const registered = await deps.registry.getVersion(name, version);
      const reason = (registered && missingApprovalReason(registered)) ?? 'it has no approval on record';
      throw refuse(SlipwayErrorType.NotApproved, reason);
    }
    const { proof, record, registered } = recorded;
    const rolledBack = rolledBackSince(registered, record);
    if (rolledBack) {
      throw refuse(
        SlipwayErrorType.NotApproved,
        `it was rolled back (deployment ${rolledBack.deploymentId}, ${rolledBack.recordedAt}) after its approval ` +
          `(${record.recordedAt}): it needs a new approval`,
      );
    }
    const ref = { name, version, digest: registered.artifact.digest };
    verifyApprovalProof(proof, {
      directory,
      version: ref,
      require: 'approved',
      registered,
      workflowId: proof.workflowId,
      action: 'deploy',
    });
    const people = { people: directory.directory.people, digest: directory.digest };
    const operators = resolveApprovers(withoutEscalation(proof.policy), people).approvers;
    const signer = input.start.signer;
    if (!operators.some((o) => o.name === signer)) {
      const allowed = operators.map((o) => o.name).join(', ') || 'nobody';
      throw refuse(
        SlipwayErrorType.NotApproved,
        `${signer} started this deploy, but only the people its recorded approval policy lets decide may (${allowed})`,
      );
    }
    const champion = (await deps.registry.getAlias(name, input.alias)) ?? null;
    const championProblem = championChange(champion, proof.evidence.champion?.version ?? null, input.alias, version);
    if (championProblem) throw refuse(SlipwayErrorType.NotApproved, championProblem);
    return { version: ref, proof, approvedAt: record.recordedAt, champion, operators };
  };
}

/** The run's start must verify for this run and input, and the input must name this version. */
function signedStartProblem(input: CheckInput, directory: LoadedDirectory): string | undefined {
  const { start, startInput } = input;
  if (start.pipeline !== deployVersion.name) {
    return `its start was signed for pipeline ${start.pipeline}, not ${deployVersion.name}`;
  }
  const key = directoryKeyOf(directory.directory, start.signer);
  if (key === undefined) return `its start is signed by ${start.signer}, who has no public key in the directory`;
  const workflowId = currentStepIdentity()?.workflowId;
  if (workflowId === undefined) return 'it does not run as a workflow activity, so its start cannot be bound to a run';
  const problem = startSignatureProblem(start, workflowId, key);
  if (problem !== undefined) return `its signed start does not verify: ${problem}`;
  const digest = startInputDigest(startInput);
  if (digest !== start.inputDigest) {
    return `the run's input hashes to ${digest}, but its signed start covers ${start.inputDigest}`;
  }
  if (startInput['model'] !== input.version.name || startInput['version'] !== input.version.version) {
    return `the signed input names ${String(startInput['model'])} version ${String(startInput['version'])}`;
  }
  return undefined;
}

/** Why the champion now is not the one the approval was given against (or is this version already). */
function championChange(now: number | null, approvedAgainst: number | null, alias: string, version: number) {
  if (now === version) return `it already is the ${alias}: there is nothing to deploy`;
  if (now === approvedAgainst) return undefined;
  const then = approvedAgainst === null ? `no ${alias}` : `${alias} v${approvedAgainst}`;
  const current = now === null ? `there is no ${alias} now` : `v${now} is the ${alias} now`;
  return `its approval was given against ${then}, but ${current}: approve it again against what serves now`;
}
