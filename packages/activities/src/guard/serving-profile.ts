/**
 * The dataset profile of the rows a check compared, made by the same profiler as a training profile: the reference
 * of a retrain's distribution checks when this check triggers one (the new training data is compared with the
 * serving window that drifted, not with the training data it drifted away from).
 */
import type { DatasetProfile, FeatureRow, FeatureSpec, RowSchema } from '@slipway/sdk';
import type { TypedRow } from '../ports.js';
import { profileRows } from '../data/profile.js';

/**
 * Profiles the compared rows over the version's features: numeric features as numbers (numeric strings read as
 * numbers, anything else as missing), categorical features as they were served.
 */
export function servingProfile(rows: readonly FeatureRow[], features: FeatureSpec): DatasetProfile {
  const numeric = features.numeric.filter((name) => name !== features.target);
  const categorical = features.categorical.filter((name) => name !== features.target && !numeric.includes(name));
  const columns: RowSchema['columns'] = {};
  for (const name of numeric) columns[name] = { type: 'number', nullable: true, integer: false };
  for (const name of categorical) columns[name] = { type: 'string', nullable: true };
  const typed = rows.map((row) => {
    const out: TypedRow = {};
    for (const name of numeric) out[name] = numberOf(row[name]);
    for (const name of categorical) out[name] = categoryOf(row[name]);
    return out;
  });
  return profileRows({ columns, allowExtraColumns: true }, typed);
}

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

function categoryOf(value: unknown): string | number | boolean | null {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}
