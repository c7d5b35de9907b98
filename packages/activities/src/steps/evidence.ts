import {
  SlipwayErrorType,
  finalFailure,
  type EvidencePacket,
  type StepParsedInput,
  type evidenceStep,
} from '@slipway/sdk';
import { buildEvidencePacket } from '../approval/evidence-packet.js';
import { retrainEvidence } from '../approval/retrain-evidence.js';
import type { ArtifactStore, ModelRegistry, ModelVersionRecord } from '../ports.js';

/**
 * The evidence activity: the candidate's metrics next to the current champion's, with the digests of the
 * data, the validation report and the code. The packet's digest covers every other field, so an approval
 * can name exactly what its approver saw (see `buildEvidencePacket`, which the acting activities recompute with). A
 * retrain started by the model guardian carries its drift report too (`retrainEvidence`; needs `artifacts`).
 */
export function createEvidenceActivity(deps: { registry: ModelRegistry; artifacts?: ArtifactStore }) {
  return async ({ candidate, alias, retrain }: StepParsedInput<typeof evidenceStep>): Promise<EvidencePacket> => {
    const record = await deps.registry.getVersion(candidate.name, candidate.version);
    if (!record)
      throw finalFailure(SlipwayErrorType.NotFound, `model ${candidate.name} v${candidate.version} is not registered`);
    const champion = await championOf(deps.registry, record, alias);
    if (retrain === undefined) return buildEvidencePacket(record, champion ?? null);
    if (!deps.artifacts) {
      throw finalFailure(
        SlipwayErrorType.InvalidInput,
        'the evidence of a retrain needs the artifact store, and this worker gave none',
      );
    }
    const drift = await retrainEvidence(deps.artifacts, retrain, candidate.name);
    return buildEvidencePacket(record, champion ?? null, drift);
  };
}

async function championOf(registry: ModelRegistry, candidate: ModelVersionRecord, alias: string) {
  const version = await registry.getAlias(candidate.name, alias);
  if (version === undefined || version === candidate.version) return undefined;
  return registry.getVersion(candidate.name, version);
}
