import type { Predictor, TypedRow } from '@slipway/activities';

/** The positive-class probability a binary predictor gives one row (the second of its class probabilities). */
export async function positiveScore(predictor: Pick<Predictor, 'predict'>, row: TypedRow): Promise<number> {
  const [output] = await predictor.predict([row]);
  if (output === undefined || !('probabilities' in output)) throw new Error('the predictor gave no probabilities');
  const score = output.probabilities[1];
  if (score === undefined) throw new Error('the predictor gave fewer than 2 class probabilities');
  return score;
}
