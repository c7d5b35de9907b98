/**
 * The rows a guardian check compares, from either kind of monitor source: the model server's served-rows log (with
 * the serving health of the window) or served rows in files (see `rows-source.ts`).
 */
import type {
  FeatureRow,
  FeatureSpec,
  GuardCheckResult,
  ServingHealth,
  StepParsedInput,
  guardCheckStep,
} from '@slipway/sdk';
import type { ModelVersionRecord } from '../ports.js';
import type { ActivityHooks } from '../data/activity-context.js';
import { throwIfAborted } from '../data/activity-context.js';
import { clientOptionsFor } from '../model-server/access.js';
import { createModelServerClient } from '../model-server/client.js';
import { splitImputedRows } from '../monitor/drift.js';
import type { GuardCheckActivityDeps } from './guard-check.js';
import type { PredictionValue } from './prediction-drift.js';
import { readRowsSource } from './rows-source.js';
import { readServedWindow } from './served-window.js';
import { servingHealth } from './serving-health.js';

/** A guard check's input, defaults applied. */
export type CheckInput = StepParsedInput<typeof guardCheckStep>;
type ModelServerSource = Extract<CheckInput['source'], { kind: 'model-server' }>;

/** The rows of a check's window, ready to compare. */
export interface CheckRows {
  /** The compared rows' features (rows with imputed features left out). */
  rows: FeatureRow[];
  /** The served predictions of the compared rows that carry one. */
  predictions: PredictionValue[];
  imputedRows: number;
  /** Rows of the window before the newest `maxRows` were kept. */
  windowRows: number;
  /** The window, with the cursor where the next check resumes. */
  window: GuardCheckResult['window'];
  /** The source, for people. */
  description: string;
  health: ServingHealth | null;
  /** Why the health covers less than the window, when it does. */
  healthNote?: string;
  /** The version's features. */
  features: FeatureSpec;
}

/** Reads the rows of the input's window from its source. */
export async function readCheckRows(
  deps: GuardCheckActivityDeps,
  input: CheckInput,
  record: ModelVersionRecord,
  hooks: ActivityHooks,
): Promise<CheckRows> {
  if (input.source.kind === 'rows') return readRowsSource(deps, input, input.source, record, hooks);
  return readModelServer(deps, input, input.source, record, hooks);
}

async function readModelServer(
  deps: GuardCheckActivityDeps,
  input: CheckInput,
  source: ModelServerSource,
  record: ModelVersionRecord,
  hooks: ActivityHooks,
): Promise<CheckRows> {
  const options = await clientOptionsFor(deps.modelServer, source.serverUrl, hooks.signal, deps.deployTargets);
  const client = (deps.client ?? createModelServerClient)(source.serverUrl, options);
  const served = await readServedWindow({
    client,
    model: record.name,
    version: record.version,
    window: input.window,
    maxRows: input.policy.maxRows,
    onPage: (read) => {
      throwIfAborted(hooks.signal);
      hooks.heartbeat({ stage: 'read', read });
    },
  });
  const compared = served.rows.filter((row) => !row.imputed?.length);
  const { rows, imputedRows } = splitImputedRows(served.rows);
  const { health, note } = await servingHealth(client, record, input.window, input.policy.health);
  return {
    rows,
    predictions: compared.flatMap((row) => (row.prediction ? [row.prediction] : [])),
    imputedRows,
    windowRows: served.windowRows,
    window: {
      ...(input.window.from ? { from: input.window.from } : {}),
      to: input.window.to,
      ...(served.cursor ? { cursor: served.cursor } : {}),
    },
    description: `model server ${new URL(source.serverUrl).origin} (served-rows log)`,
    health,
    ...(note === undefined ? {} : { healthNote: note }),
    features: record.lineage.features,
  };
}
