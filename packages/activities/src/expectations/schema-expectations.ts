/**
 * A row schema's rules as expectations, so a report lists every rule a schema implies next to the explicit
 * expectations: presence, type, nullability, range, allowed values, pattern.
 */
import type { ColumnSpec, Expectation, RowSchema } from '@slipway/sdk';

/** The expectations a row schema implies; `mostly` lets a share of values fail, as `maxBadRowShare` does. */
export function schemaExpectations(schema: RowSchema, mostly = 1): Expectation[] {
  return Object.entries(schema.columns).flatMap(([column, spec]) => columnExpectations(column, spec, mostly));
}

function columnExpectations(column: string, spec: ColumnSpec, mostly: number): Expectation[] {
  const base = { column, severity: 'error' as const, mostly };
  const checks: Expectation[] = [{ expect: 'columnExists', column, severity: 'error' }];
  if (!spec.nullable) checks.push({ expect: 'notNull', ...base });
  switch (spec.type) {
    case 'number':
      checks.push({ expect: 'columnType', ...base, type: spec.integer ? 'integer' : 'number' });
      if (spec.min !== undefined || spec.max !== undefined) {
        checks.push({ expect: 'between', ...base, strict: false, ...defined({ min: spec.min, max: spec.max }) });
      }
      break;
    case 'string':
      if (spec.values) checks.push({ expect: 'inSet', ...base, values: spec.values });
      if (spec.pattern) checks.push({ expect: 'matches', ...base, pattern: spec.pattern });
      break;
    case 'boolean':
      checks.push({ expect: 'columnType', ...base, type: 'boolean' });
      break;
  }
  return checks;
}

function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
