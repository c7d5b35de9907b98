/**
 * `JsonRecord`, the one-pass check behind notification details and guardian records: it takes and refuses what
 * `z.record(z.string(), z.json())` does, and names the exact path of the first value that is not JSON.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { JsonRecord } from '../../../packages/sdk/src/schemas/json-record.js';
import { NotificationEvent } from '../../../packages/sdk/src/index.js';

const zodJsonRecord = z.record(z.string(), z.json());
const TAKEN: [string, unknown][] = [
  ['an empty record', {}],
  ['scalars', { s: 'x', n: 1.5, t: true, f: false, z: null }],
  ['nested arrays and objects', { a: [1, 'two', { c: null, d: [[[true]]] }] }],
  ['an object without a prototype', { a: Object.assign(Object.create(null) as object, { b: 1 }) }],
];

const REFUSED: [string, unknown, (string | number)[]][] = [
  ['NaN', { a: NaN }, ['a']],
  ['Infinity', { a: [1, -Infinity] }, ['a', 1]],
  ['undefined in an array', { a: [1, undefined] }, ['a', 1]],
  ['a function', { a: { b: () => 1 } }, ['a', 'b']],
  ['a bigint', { a: 1n }, ['a']],
  ['a symbol deep down', { a: { b: { c: Symbol('x') } } }, ['a', 'b', 'c']],
  ['a Date', { a: new Date(0) }, ['a']],
  ['a Map', { a: new Map() }, ['a']],
];

describe('JsonRecord', () => {
  it.each(TAKEN)('takes %s, as z.json() does', (_what, value) => {
    expect(zodJsonRecord.safeParse(value).success).toBe(true);
    expect(JsonRecord.parse(value)).toEqual(value);
  });

  it.each(REFUSED)('refuses %s, as z.json() does, naming its path', (_what, value, path) => {
    expect(zodJsonRecord.safeParse(value).success).toBe(false);
    const result = JsonRecord.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ code: 'custom', path, message: expect.stringMatching(/^expected a JSON value/) }),
    ]);
  });

  it('refuses what is not a record', () => {
    for (const value of [[], 'x', null, 3]) expect(JsonRecord.safeParse(value).success).toBe(false);
  });

  it('lets a later check serialize the record: a notification with a bigint is refused, not thrown', () => {
    const result = NotificationEvent.safeParse({
      id: 'run-1:3:gate_opened',
      kind: 'gate_opened',
      model: 'churn',
      summary: 'churn v3: approval gate opened',
      at: '2026-12-03T06:00:00.000Z',
      details: { decisions: [{ n: 2n }] },
    });
    expect(result.error?.issues.map((i) => i.path)).toEqual([['details', 'decisions', 0, 'n']]);
  });
});
