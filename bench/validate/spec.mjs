// The checks of the validate benchmark, written once and handed to both validators: `rowSchema()` is the
// Slipway row schema, `expectations()` the Slipway expectations, and `CHECKS` (as JSON) is what the pandera
// child turns into a DataFrameSchema with the same column checks.

/** Allowed values of the categorical columns. */
export const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'CA', 'AU', 'NL'];
export const PLANS = ['free', 'basic', 'pro', 'enterprise'];
export const DEVICES = ['ios', 'android', 'web'];

/** Full-match patterns with ASCII classes only, so JavaScript (`u` flag) and Python `re` read them alike. */
export const EMAIL_PATTERN = '^[a-z0-9._]+@[a-z0-9-]+\\.[a-z]{2,}$';
export const DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';

/**
 * The 20 columns in file order with their rules (Slipway's `ColumnSpec` shape): 5 integer, 6 float, 7 string
 * and 2 boolean columns; `id` is also checked for uniqueness.
 */
export const COLUMNS = [
  ['id', { type: 'number', integer: true, min: 1 }],
  ['age', { type: 'number', integer: true, min: 0, max: 120 }],
  ['income', { type: 'number', min: 0, nullable: true }],
  ['score', { type: 'number', min: 0, max: 1 }],
  ['balance', { type: 'number' }],
  ['tenure_months', { type: 'number', integer: true, min: 0, max: 600, nullable: true }],
  ['sessions', { type: 'number', integer: true, min: 0 }],
  ['avg_session_min', { type: 'number', min: 0, max: 1440, nullable: true }],
  ['referrals', { type: 'number', integer: true, min: 0, max: 1000 }],
  ['latitude', { type: 'number', min: -90, max: 90 }],
  ['longitude', { type: 'number', min: -180, max: 180 }],
  ['name', { type: 'string' }],
  ['email', { type: 'string', pattern: EMAIL_PATTERN }],
  ['country', { type: 'string', values: COUNTRIES }],
  ['plan', { type: 'string', values: PLANS }],
  ['device', { type: 'string', values: DEVICES, nullable: true }],
  ['signup_date', { type: 'string', pattern: DATE_PATTERN }],
  ['notes', { type: 'string', nullable: true }],
  ['is_active', { type: 'boolean' }],
  ['churned', { type: 'boolean', nullable: true }],
];

/** The column checked for uniqueness. */
export const UNIQUE_COLUMN = 'id';

/** The Slipway row schema. */
export function rowSchema() {
  return { columns: Object.fromEntries(COLUMNS), allowExtraColumns: false };
}

/** The row-count bound: at least one row, at most twice the rows generated. */
export function rowCountBounds(rows) {
  return { min: 1, max: rows * 2 };
}

/** The Slipway expectations besides the schema: uniqueness of `id` and the row-count bound. */
export function expectations(rows) {
  return [
    { expect: 'unique', column: UNIQUE_COLUMN, severity: 'error' },
    { expect: 'rowCount', ...rowCountBounds(rows), severity: 'error' },
  ];
}

/** Everything the pandera child needs to build the same checks. */
export function checksForPython(rows) {
  return { columns: COLUMNS, unique: UNIQUE_COLUMN, rowCount: rowCountBounds(rows) };
}
