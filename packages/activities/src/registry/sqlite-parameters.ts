/**
 * The bind parameters of an SQL statement, read from its text, and the check of the values bound to them.
 * libsql binds a missing parameter as NULL, ignores extra positional values and aborts the process on a boolean
 * or a Buffer; better-sqlite3 refused all of these, and the registry keeps refusing them (see `sqlite-database.ts`).
 */

/** The parameters a statement takes: `?` placeholders, or `@name` / `:name` / `$name` ones. */
export interface SqlParameters {
  /** How many `?` placeholders (0 when the statement uses named ones). */
  positional: number;
  /** The names of its named parameters, without their prefix (how libsql matches an object's keys). */
  named: readonly string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const CLOSING: Readonly<Record<string, string>> = { "'": "'", '"': '"', '`': '`', '[': ']', '--': '\n', '/*': '*/' };

/**
 * The parameters of `sql` (string literals, quoted identifiers and comments skipped). Refuses numbered `?NNN`
 * placeholders and statements that mix `?` with named parameters: libsql binds neither the way better-sqlite3 did.
 */
export function sqlParameters(sql: string): SqlParameters {
  const named = new Set<string>();
  let positional = 0;
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i] as string;
    const opener = CLOSING[sql.slice(i, i + 2)] === undefined ? char : sql.slice(i, i + 2);
    const closer = CLOSING[opener];
    if (closer !== undefined) {
      const end = sql.indexOf(closer, i + opener.length);
      if (end < 0) break;
      i = end + closer.length - 1;
    } else if (char === '?') {
      if (NAME_PART.test(sql[i + 1] ?? '')) throw unsupported(sql, 'numbered ?NNN parameters');
      positional++;
    } else if ('@:$'.includes(char) && NAME_START.test(sql[i + 1] ?? '') && !NAME_PART.test(sql[i - 1] ?? '')) {
      let end = i + 1;
      while (end < sql.length && NAME_PART.test(sql[end] as string)) end++;
      named.add(sql.slice(i + 1, end));
      i = end - 1;
    }
  }
  if (positional > 0 && named.size > 0) throw unsupported(sql, 'both ? and named parameters');
  return { positional, named: [...named] };
}

/**
 * Checks the values bound to a statement: one object holding every named parameter, or exactly one value per `?`;
 * each value a string, a number, a bigint or null. Returns what libsql binds (an array for `?`, so that a single
 * `null` is not taken for an object of named values).
 */
export function bindable(sql: string, parameters: SqlParameters, values: readonly unknown[]): unknown[] | object {
  if (parameters.named.length === 0) {
    if (values.length !== parameters.positional) {
      throw new RangeError(
        `${describeSql(sql)} takes ${parameters.positional} parameter value(s), but ${values.length} were given`,
      );
    }
    values.forEach((value, index) => checkValue(sql, `parameter ${index + 1}`, value));
    return [...values];
  }
  const [object, ...rest] = values;
  if (rest.length > 0 || typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new TypeError(`${describeSql(sql)} takes its named parameters from one object`);
  }
  for (const name of parameters.named) {
    if (!Object.hasOwn(object, name)) throw new RangeError(`Missing named parameter "${name}" of ${describeSql(sql)}`);
    checkValue(sql, `parameter "${name}"`, (object as Record<string, unknown>)[name]);
  }
  return object;
}

function checkValue(sql: string, where: string, value: unknown): void {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return;
  const kind = value === undefined ? 'undefined' : Buffer.isBuffer(value) ? 'a Buffer' : `a ${typeof value}`;
  throw new TypeError(
    `The registry binds only strings, numbers, bigints and null: ${where} of ${describeSql(sql)} is ${kind}`,
  );
}

function unsupported(sql: string, what: string): Error {
  return new Error(`The registry does not bind ${what}: ${describeSql(sql)}`);
}

/** The statement for an error message: whitespace collapsed, at most 80 characters. */
function describeSql(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return `statement "${flat.length > 80 ? `${flat.slice(0, 77)}...` : flat}"`;
}
