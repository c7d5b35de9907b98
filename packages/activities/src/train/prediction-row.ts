/**
 * A request row held to what a model declares it accepts, before it is scored: every feature present (or imputed
 * with the value the model declares), no key that is not a feature, numeric features readable as numbers. Nothing
 * is filled in silently: a row the model cannot take as it is either has a declared imputation for exactly what it
 * lacks, and the answer says which features were imputed, or it is refused with every problem named.
 */
import type { ImputedValue, Predictor, TypedRow } from '../ports.js';
import { numericFeature } from './encoding.js';

/** Names quoted in a message at most per list (the rest are counted). */
const LISTED_NAMES = 20;

/** What keeps a request row from being scored. */
export interface RowFeatureProblem {
  /** Features the row lacks (absent, or `null` where null is not a value) that the model has no imputation for. */
  missing: string[];
  /** Keys of the row that are not features of the model (a typo is never ignored). */
  unknown: string[];
  /** Features whose value the model cannot read, and why. */
  invalid: { feature: string; message: string }[];
  /** True when the row holds no value for any of the model's features. */
  noFeatures: boolean;
}

/** The outcome of {@link checkPredictionRow}. */
export type PredictionRowCheck =
  | {
      ok: true;
      /** The row to score: the request's features plus the imputed ones. */
      row: TypedRow;
      /** The features that were missing and got the model's imputation value, in the model's feature order. */
      imputed: string[];
    }
  | { ok: false; problem: RowFeatureProblem };

/** The model's input features, in its order: numeric, then categorical; the target is not one. */
export function predictorFeatures(predictor: Pick<Predictor, 'features'>): string[] {
  const { numeric, categorical, target } = predictor.features;
  return [...new Set([...numeric, ...categorical])].filter((name) => name !== target);
}

/**
 * Checks one request row against `predictor`: a row with no value for any feature, a key that is not a feature,
 * or a numeric feature that is not a number is refused; a missing feature (absent, or `null` unless the model
 * declares it nullable) is filled with the model's imputation value for it, and refused when there is none.
 */
export function checkPredictionRow(predictor: Predictor, row: TypedRow): PredictionRowCheck {
  const features = predictorFeatures(predictor);
  const known = new Set(features);
  const nullable = new Set(predictor.nullable ?? []);
  const imputation = predictor.imputation ?? {};
  const problem: RowFeatureProblem = {
    missing: [],
    unknown: Object.keys(row).filter((key) => !known.has(key)),
    invalid: [],
    noFeatures: true,
  };
  const imputed: [string, ImputedValue][] = [];
  for (const feature of features) {
    const value = presentValue(predictor, feature, row, problem);
    if (value !== null) problem.noFeatures = false;
    if (value !== null || (nullable.has(feature) && Object.hasOwn(row, feature))) continue;
    const fill = Object.hasOwn(imputation, feature) ? imputation[feature] : undefined;
    if (fill === undefined) problem.missing.push(feature);
    else imputed.push([feature, fill]);
  }
  const refused =
    problem.noFeatures || problem.missing.length > 0 || problem.unknown.length > 0 || problem.invalid.length > 0;
  if (refused) return { ok: false, problem };
  return { ok: true, row: { ...row, ...Object.fromEntries(imputed) }, imputed: imputed.map(([name]) => name) };
}

/**
 * The feature's value when the row holds one: null when absent or null (or blank, for a numeric feature). An
 * unreadable numeric value is recorded as invalid (and counts as present: the row did give one).
 */
function presentValue(
  predictor: Predictor,
  feature: string,
  row: TypedRow,
  problem: RowFeatureProblem,
): TypedRow[string] {
  const value = Object.hasOwn(row, feature) ? row[feature] : undefined;
  if (value === undefined || value === null) return null;
  if (!predictor.features.numeric.includes(feature)) return value;
  try {
    return numericFeature(feature, value);
  } catch (err) {
    problem.invalid.push({ feature, message: err instanceof Error ? err.message : String(err) });
    return value;
  }
}

/**
 * A row's problems in one line, e.g. `unknown features "foo"; missing features "tenure", "plan"`. Lists are
 * bounded and names shortened, so a hostile request cannot make the message large.
 */
export function describeRowProblem(problem: RowFeatureProblem, features: readonly string[]): string {
  const parts: string[] = [];
  if (problem.noFeatures) parts.push(`no value for any of the model's features (${names(features)})`);
  if (problem.unknown.length > 0) parts.push(`unknown features ${names(problem.unknown)}`);
  if (problem.missing.length > 0 && !problem.noFeatures) parts.push(`missing features ${names(problem.missing)}`);
  for (const { message } of problem.invalid.slice(0, LISTED_NAMES)) parts.push(message);
  return parts.join('; ');
}

function names(list: readonly string[]): string {
  const shown = list
    .slice(0, LISTED_NAMES)
    .map((name) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name));
  return shown.join(', ') + (list.length > LISTED_NAMES ? ` and ${list.length - LISTED_NAMES} more` : '');
}
