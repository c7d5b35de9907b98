/**
 * The monitor activity: compares the features a deployed version served with the profile of the data it was
 * trained on: PSI per feature, KS for numeric features, chi-square and Jensen–Shannon for categorical ones.
 */
import { monitorStep, parseStepInput, parseStepOutput, type DriftReport, type StepInput } from '@slipway/sdk';
import type { ArtifactStore, DeployTargetAccess, ModelRegistry, ModelServerAccess } from '../ports.js';
import { currentActivityHooks } from '../data/activity-context.js';
import { clientOptionsFor } from '../model-server/access.js';
import {
  createModelServerClient,
  type ModelServerClient,
  type ModelServerClientOptions,
} from '../model-server/client.js';
import { loadTrainingProfile } from '../data/training-profile.js';
import { computeDriftReport, splitImputedRows } from '../monitor/drift.js';
import { resolveVersionOrFail } from '../registry/resolve-version.js';

/** How many of the newest served rows a check reads by default. */
export const DEFAULT_MONITOR_WINDOW = 10_000;

/** What the monitor activity needs. */
export interface MonitorActivityDeps {
  artifacts: ArtifactStore;
  registry: ModelRegistry;
  /** The configured model server and its token (reading served rows needs it; it is sent to that server only). */
  modelServer?: ModelServerAccess;
  /** The configured webhook deploy targets: named in the refusal of a `serverUrl` that is not the model server. */
  deployTargets?: readonly DeployTargetAccess[] | undefined;
  /** Builds the model server client for a URL; by default {@link createModelServerClient}. */
  client?: (serverUrl: string, options: ModelServerClientOptions) => ModelServerClient;
  /** How many of the newest served rows one check compares (default {@link DEFAULT_MONITOR_WINDOW}). */
  window?: number;
}

/** The monitor step's input, as a caller writes it (defaults not yet applied). */
export type MonitorInput = StepInput<typeof monitorStep>;

/**
 * Creates the `slipway.monitor` activity. It checks its input and output against the contract itself, so it can
 * be registered directly under `monitorStep.name` or bound with `implementStep`.
 *
 * Resolves the version (the given one, or the one behind `alias`; final `SlipwayNotFound` if missing), loads its
 * training profile and feature list from the lineage, reads the newest served rows of that version from the
 * model server, and computes the drift statistics per feature (see `featureDrift`); a feature drifted when its PSI
 * exceeds `psiThreshold`. Rows whose features the model imputed are left out (counted as `imputedRows`). With
 * fewer than `minSamples` served rows left (or none) the report says `enoughSamples: false` and makes no verdict.
 */
export function createMonitorActivity(deps: MonitorActivityDeps): (input: MonitorInput) => Promise<DriftReport> {
  const makeClient = deps.client ?? createModelServerClient;
  const window = deps.window ?? DEFAULT_MONITOR_WINDOW;
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`createMonitorActivity: window must be a positive integer, got ${window}`);
  }
  return async (raw) => {
    const input = parseStepInput(monitorStep, raw, 'activity');
    const options = await clientOptionsFor(
      deps.modelServer,
      input.serverUrl,
      currentActivityHooks().signal,
      deps.deployTargets,
    );
    const record = await resolveVersionOrFail(deps.registry, input.model, input.version ?? input.alias);
    const profile = await loadTrainingProfile(deps.artifacts, record.lineage);
    const client = makeClient(input.serverUrl, options);
    const served = splitImputedRows((await client.served(record.name, record.version, window)).rows);
    const report = computeDriftReport({
      model: record.name,
      version: record.version,
      profile,
      profileUri: record.lineage.profile.uri,
      features: record.lineage.features,
      rows: served.rows,
      imputedRows: served.imputedRows,
      threshold: input.psiThreshold,
      minSamples: input.minSamples,
      ...(input.criterion ? { criterion: input.criterion } : {}),
    });
    return parseStepOutput(monitorStep, report, 'activity');
  };
}
