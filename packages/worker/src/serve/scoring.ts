/**
 * Scoring a predict request with one deployment: every row held to what the model accepts, then scored in one
 * batch, each output made into the task's prediction; the answer, and what the served log records of each row.
 */
import { predictionOf, type ModelOutput, type Predictor } from '@slipway/activities';
import {
  checkPredictionRow,
  describeRowProblem,
  predictorFeatures,
  type RowFeatureProblem,
} from '@slipway/activities/train';
import {
  rootMessage,
  type ClassLabel,
  type FeatureRow,
  type PredictAnswer,
  type Prediction,
  type ServedPrediction,
} from '@slipway/sdk';
import type { LiveDeployment } from './deployments.js';
import { ServeError, ServeErrorCode } from './protocol.js';
import type { ServedEntry } from './served-log.js';

/** Rows with feature problems listed in a 400 answer at most (the rest are counted). */
const LISTED_BAD_ROWS = 10;

/**
 * Scores every row with one live deployment, or none: first every row is held to what the model accepts (see
 * `checkPredictionRow`), and any row with missing, unknown or unreadable features makes the whole request a 400
 * naming each such row and its features (nothing is scored or logged). Then each row is scored; anything thrown
 * inside the model, or a score that is not a probability, is a 500 `PredictionFailed` (a fault of the model, not of
 * the request, so error-rate guards count it). Imputed features are named in the prediction and the logged row.
 */
export async function scoreAll(
  live: LiveDeployment,
  instances: readonly FeatureRow[],
): Promise<{ prediction: Prediction; logged: ServedEntry }[]> {
  const ready: { row: FeatureRow; imputed: string[] }[] = [];
  const refused: { i: number; problem: RowFeatureProblem }[] = [];
  instances.forEach((row, i) => {
    const check = checkPredictionRow(live.predictor, row);
    if (check.ok) ready.push(check);
    else refused.push({ i, problem: check.problem });
  });
  if (refused.length > 0) throw featureProblems(live, refused, instances.length);
  const predictions = await scoreRows(
    live,
    ready.map((check) => check.row),
  );
  return ready.map((check, i) => {
    const prediction = predictions[i] as Prediction;
    const imputed = check.imputed.length > 0 ? { imputed: check.imputed } : {};
    return {
      prediction: { ...prediction, ...imputed },
      logged: {
        features: instances[i] as FeatureRow,
        prediction: servedPrediction(live.predictor, prediction),
        ...imputed,
      },
    };
  });
}

/** The answer to a predict request: who scored the rows, what the model predicts, and the predictions in order. */
export function predictAnswer(
  model: string,
  live: LiveDeployment,
  scored: readonly { prediction: Prediction }[],
): PredictAnswer {
  const { task, classes } = live.predictor;
  return {
    model,
    version: live.entry.version,
    deploymentId: live.entry.deploymentId,
    task,
    ...(task !== 'regression' && classes ? { classes: [...classes] } : {}),
    predictions: scored.map(({ prediction }) => prediction),
  };
}

/** A prediction as a served row records it, by the model's task (`predictionOf` made it fit the task). */
function servedPrediction(predictor: Pick<Predictor, 'task'>, p: Prediction): ServedPrediction {
  switch (predictor.task) {
    case 'binary':
      return { task: 'binary', score: p.score as number, label: p.label as ClassLabel, scores: p.scores ?? {} };
    case 'multiclass':
      return { task: 'multiclass', label: p.label as ClassLabel, scores: p.scores ?? {} };
    case 'regression':
      return { task: 'regression', value: p.value as number };
  }
}

function featureProblems(
  live: LiveDeployment,
  refused: readonly { i: number; problem: RowFeatureProblem }[],
  total: number,
): ServeError {
  const features = predictorFeatures(live.predictor);
  const rows = refused
    .slice(0, LISTED_BAD_ROWS)
    .map(({ i, problem }) => `instances.${i}: ${describeRowProblem(problem, features)}`);
  const more = refused.length > LISTED_BAD_ROWS ? `; and ${refused.length - LISTED_BAD_ROWS} more rows` : '';
  return new ServeError(
    400,
    ServeErrorCode.InvalidRequest,
    `${refused.length} of ${total} instances cannot be scored by model version ${live.entry.version}, ` +
      `nothing was scored: ${rows.join('; ')}${more}`,
  );
}

async function scoreRows(live: LiveDeployment, rows: readonly FeatureRow[]): Promise<Prediction[]> {
  let outputs: ModelOutput[];
  try {
    outputs = await live.predictor.predict(rows);
  } catch (err) {
    throw new ServeError(
      500,
      ServeErrorCode.PredictionFailed,
      `model version ${live.entry.version} failed to score the instances: ${rootMessage(err)}`,
    );
  }
  if (outputs.length !== rows.length) {
    throw new ServeError(
      500,
      ServeErrorCode.PredictionFailed,
      `model version ${live.entry.version} returned ${outputs.length} outputs for ${rows.length} instances`,
    );
  }
  return outputs.map((output, i) => {
    const outcome = predictionOf(live.predictor, output);
    if (outcome.ok) return outcome.prediction;
    throw new ServeError(
      500,
      ServeErrorCode.PredictionFailed,
      `instances.${i}: model version ${live.entry.version} answered badly: ${outcome.reason}`,
    );
  });
}
