/**
 * The guardian's check activity (`slipway.guard-check`): one serving window of the version behind an alias against
 * its training profile and held-out predictions, stored as a report, a page and the profile of the compared rows.
 */
import {
  GuardReport,
  PredictionProfile,
  guardCheckStep,
  parseOrFail,
  parseStepInput,
  parseStepOutput,
  type GuardCheckResult,
  type StepInput,
  type StepOutput,
} from '@slipway/sdk';
import type {
  ArtifactStore,
  ModelVersionRecord,
  DeployTargetAccess,
  ModelRegistry,
  ModelServerAccess,
} from '../ports.js';
import { currentActivityHooks } from '../data/activity-context.js';
import { loadTrainingProfile } from '../data/training-profile.js';
import type { ModelServerClient, ModelServerClientOptions } from '../model-server/client.js';
import { resolveVersionOrFail } from '../registry/resolve-version.js';
import type { DatasetAccess } from '../sources/dataset-roots.js';
import type { S3Settings } from '../sources/s3-settings.js';
import { predictionDrift } from './prediction-drift.js';
import { renderGuardPage } from './report-page.js';
import { servingProfile } from './serving-profile.js';
import { readCheckRows, type CheckRows } from './check-source.js';
import { judgeFeatures } from './verdict.js';

/** What the guard-check activity needs. */
export interface GuardCheckActivityDeps {
  artifacts: ArtifactStore;
  registry: ModelRegistry;
  /** The configured model server and its token (reading served rows needs it; it is sent to that server only). */
  modelServer?: ModelServerAccess | undefined;
  /** The configured webhook deploy targets: named in the refusal of a `serverUrl` that is not the model server. */
  deployTargets?: readonly DeployTargetAccess[] | undefined;
  /** Builds the model server client for a URL; by default `createModelServerClient`. */
  client?: (serverUrl: string, options: ModelServerClientOptions) => ModelServerClient;
  /** Where a `rows` source may be read (default: below the working directory, see `defaultDatasetAccess`). */
  datasetAccess?: DatasetAccess | undefined;
  /** How to reach S3 for `s3://` rows sources (default: the environment's settings). */
  s3?: S3Settings | undefined;
}

/** The guard-check step's input, as a caller writes it (defaults not yet applied). */
export type GuardCheckInput = StepInput<typeof guardCheckStep>;

/**
 * Creates the `slipway.guard-check` activity (register it under `guardCheckStep.name`). It resolves the version
 * behind `alias`, reads the window's rows from the source (see `readCheckRows`), tests every feature under the
 * policy (see `judgeFeatures`), measures prediction drift and serving health, and stores three artifacts: the
 * `GuardReport` (JSON), its page (`text/html`) and the serving profile of the compared rows (null when no row was
 * compared). Everything stored is a function of the input and the rows read, and the store is content-addressed,
 * so a retried check stores and returns the same references.
 */
export function createGuardCheckActivity(
  deps: GuardCheckActivityDeps,
): (input: GuardCheckInput) => Promise<StepOutput<typeof guardCheckStep>> {
  return async (raw) => {
    const input = parseStepInput(guardCheckStep, raw, 'activity');
    const hooks = currentActivityHooks();
    const record = await resolveVersionOrFail(deps.registry, input.model, input.alias);
    const profile = await loadTrainingProfile(deps.artifacts, record.lineage);
    const rows = await readCheckRows(deps, input, record, hooks);
    const predictionProfile = await loadPredictionProfile(deps.artifacts, record);
    const prediction = predictionDrift({
      profile: predictionProfile,
      predictions: rows.predictions,
      policy: input.policy,
    });
    const verdict = judgeFeatures(
      {
        profile,
        profileUri: record.lineage.profile.uri,
        features: record.lineage.features,
        rows: rows.rows,
        policy: input.policy,
      },
      prediction.result,
    );
    hooks.heartbeat({ stage: 'store', rows: rows.rows.length });
    const report = parseOrFail(
      GuardReport,
      {
        checkId: input.checkId,
        model: record.name,
        version: record.version,
        alias: input.alias,
        source: rows.description,
        window: rows.window,
        policy: input.policy,
        samples: rows.rows.length,
        imputedRows: rows.imputedRows,
        windowRows: rows.windowRows,
        ...verdict,
        predictionCounts: input.policy.countPrediction === true,
        prediction: prediction.result,
        ...(prediction.result === null ? { predictionNote: prediction.note } : {}),
        health: rows.health,
        ...(rows.healthNote === undefined ? {} : { healthNote: rows.healthNote }),
      },
      'The guard report',
    );
    return parseStepOutput(guardCheckStep, await storeCheck(deps.artifacts, report, rows), 'activity');
  };
}

/** Stores the report, its page and the serving profile, and returns the check's result. */
async function storeCheck(artifacts: ArtifactStore, report: GuardReport, rows: CheckRows): Promise<GuardCheckResult> {
  const reportRef = await artifacts.putJson(report);
  const page = await artifacts.putBytes(new TextEncoder().encode(renderGuardPage(report)), {
    mediaType: 'text/html',
    extension: '.html',
  });
  const profile = rows.rows.length === 0 ? null : await artifacts.putJson(servingProfile(rows.rows, rows.features));
  return {
    checkId: report.checkId,
    model: report.model,
    version: report.version,
    window: report.window,
    samples: report.samples,
    enoughSamples: report.enoughSamples,
    drifted: report.drifted,
    driftShare: report.driftShare,
    driftedFeatures: report.driftedFeatures,
    prediction: report.prediction
      ? {
          test: report.prediction.test,
          statistic: report.prediction.statistic,
          ...(report.prediction.pValue === undefined ? {} : { pValue: report.prediction.pValue }),
          drifted: report.prediction.drifted,
        }
      : null,
    health: report.health,
    report: reportRef,
    page,
    servingProfile: profile,
  };
}

/** The version's held-out prediction profile, when its lineage records one. */
async function loadPredictionProfile(
  artifacts: ArtifactStore,
  record: ModelVersionRecord,
): Promise<PredictionProfile | undefined> {
  const ref = record.lineage.predictionProfile;
  if (!ref) return undefined;
  const what = `Prediction profile ${ref.uri} of ${record.name} version ${record.version} is not a prediction profile`;
  return parseOrFail(PredictionProfile, await artifacts.getJson(ref), what, { uri: ref.uri });
}
