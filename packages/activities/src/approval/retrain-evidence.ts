/**
 * The retrain part of an evidence packet: the drift that made the model guardian start the run, read from the
 * check's stored drift report (its digest verified) and told in one line, next to the references of the report, its
 * page and the serving window's profile (each read once, so a packet never names an artifact that is not there).
 */
import {
  SlipwayErrorType,
  finalFailure,
  parseOrFail,
  type ArtifactRef,
  type RetrainEvidence,
  type RetrainTrigger,
} from '@slipway/sdk';
import { z } from 'zod';
import type { ArtifactStore } from '../ports.js';

/** The facts of a drift report (`GuardReport`) the evidence is told from; the rest of the report is not read here. */
const DriftReportFacts = z.looseObject({
  model: z.string().min(1),
  checkId: z.string().min(1).optional(),
  samples: z.number().int().nonnegative(),
  drifted: z.boolean(),
  driftShare: z.number().min(0).max(1),
  driftedFeatures: z.array(z.string()),
});

/** The most drifted feature names the one-line summary lists. */
const LISTED_FEATURES = 5;

/**
 * The retrain evidence of a run of `model` triggered by `trigger`.
 *
 * @throws a final `SlipwayInvalidInput` when the drift report is not one (naming the artifact and the field), is
 *   about another model or check, or found no drift; `SlipwayDigestMismatch` / `SlipwayNotFound` when an artifact is
 *   altered or missing.
 */
export async function retrainEvidence(
  artifacts: ArtifactStore,
  trigger: RetrainTrigger,
  model: string,
): Promise<RetrainEvidence> {
  const where = `the drift report ${trigger.driftReport.uri} of ${trigger.guardian} check ${trigger.checkId}`;
  const facts = parseOrFail(
    DriftReportFacts,
    await artifacts.getJson(trigger.driftReport),
    `${where} is not a drift report`,
    {
      uri: trigger.driftReport.uri,
    },
  );
  const refuse = (why: string) =>
    finalFailure(SlipwayErrorType.InvalidInput, `${where} ${why}: it cannot be the evidence of this retrain`, {
      uri: trigger.driftReport.uri,
    });
  if (facts.model !== model)
    throw refuse(`is about model ${JSON.stringify(facts.model)}, not ${JSON.stringify(model)}`);
  if (facts.checkId !== undefined && facts.checkId !== trigger.checkId) throw refuse(`is of check ${facts.checkId}`);
  if (!facts.drifted) throw refuse('found no drift');
  await Promise.all([present(artifacts, trigger.driftPage), present(artifacts, trigger.servingProfile)]);
  return {
    guardian: trigger.guardian,
    checkId: trigger.checkId,
    driftReport: trigger.driftReport,
    driftPage: trigger.driftPage,
    servingProfile: trigger.servingProfile,
    summary: summaryOf(trigger, facts),
  };
}

/** Reads an artifact once: it must exist and hash to its digest. */
async function present(artifacts: ArtifactStore, ref: ArtifactRef): Promise<void> {
  await artifacts.getBytes(ref);
}

/** The check as people read it: its id (`guardian:churn/check-17`), or the guardian and the id when the id is bare. */
function checkName(trigger: RetrainTrigger): string {
  return trigger.checkId.startsWith(trigger.guardian)
    ? trigger.checkId
    : `${trigger.guardian} check ${trigger.checkId}`;
}

function summaryOf(trigger: RetrainTrigger, facts: z.infer<typeof DriftReportFacts>): string {
  const n = facts.driftedFeatures.length;
  const listed = facts.driftedFeatures.slice(0, LISTED_FEATURES).join(', ');
  const more = n > LISTED_FEATURES ? `, +${n - LISTED_FEATURES} more` : '';
  const features = `${n} feature${n === 1 ? '' : 's'} drifted${n === 0 ? '' : ` (${listed}${more})`}`;
  return (
    `retrain after ${checkName(trigger)}: ${features}, share ${facts.driftShare.toFixed(2)}, ` +
    `over ${facts.samples} served rows; validated against that serving window`
  );
}
