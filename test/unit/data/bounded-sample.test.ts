/**
 * The one helper every message that quotes dataset content goes through: a few values, each cut short.
 */
import { describe, expect, it } from 'vitest';
import {
  SAMPLE_MAX_CHARS,
  VALUE_NOT_SHOWN,
  quoteSample,
  quoteValue,
  sampleOf,
  shortValue,
  withoutValue,
} from '../../../packages/activities/src/util/bounded-sample.js';
import { quoteCell } from '../../../packages/activities/src/data/index.js';
import { showValue } from '../../../packages/activities/src/expectations/check.js';
import { describeJsonError } from '../../../packages/activities/src/data/formats/jsonl-format.js';
import { resolveBinaryTarget } from '../../../packages/activities/src/train/index.js';

describe('bounded samples', () => {
  it('cuts a value to 40 characters, the last an ellipsis, never splitting a surrogate pair', () => {
    expect(shortValue('short')).toBe('short');
    expect(shortValue('x'.repeat(40))).toBe('x'.repeat(40));
    expect(shortValue('x'.repeat(41))).toBe(`${'x'.repeat(39)}…`);
    expect(shortValue('x'.repeat(41))).toHaveLength(SAMPLE_MAX_CHARS);
    const emoji = `${'x'.repeat(38)}😀tail`;
    expect(shortValue(emoji)).toBe(`${'x'.repeat(38)}…`);
  });

  it('quotes in JSON quotes, and every quoting helper of the data path is bounded by it', () => {
    const long = `${'a'.repeat(100)}SECRET`;
    expect(quoteValue(long)).toBe(JSON.stringify(`${'a'.repeat(39)}…`));
    expect(quoteCell(long)).toBe(quoteValue(long));
    expect(showValue(long)).toBe(shortValue(long));
    expect(quoteValue('tab\there')).toBe('"tab\\there"');
  });

  it('lists at most 3 values, saying how many more there are', () => {
    expect(quoteSample([])).toBe('(none)');
    expect(quoteSample(['a', 'b'])).toBe('"a", "b"');
    expect(quoteSample(['a', 'b', 'c', 'd', 'e'])).toBe('"a", "b", "c" and 2 more');
    expect(sampleOf([1, 2, 3, 4])).toEqual([1, 2, 3]);
  });

  it('takes the quoted value out of a message, keeping the rest', () => {
    expect(withoutValue('expected a number, got "abc"', '"abc"')).toBe(`expected a number, got ${VALUE_NOT_SHOWN}`);
    expect(withoutValue('expected /"abc"/, got "abc"', '"abc"')).toBe(`expected /"abc"/, got ${VALUE_NOT_SHOWN}`);
    expect(withoutValue('expected 5 fields, found 3', undefined)).toBe('expected 5 fields, found 3');
  });

  it('drops the text V8 quotes from a line that is not JSON', () => {
    const reason = (text: string) => {
      try {
        JSON.parse(text);
      } catch (err) {
        return describeJsonError(err);
      }
      throw new Error('parsed');
    };
    expect(reason('root:x:0:0:root:/root:/bin/bash')).toBe("Unexpected token 'r'");
    expect(reason('{"a": secret}')).toBe("Unexpected token 's'");
    expect(reason('{"a":')).toBe('Unexpected end of JSON input');
    expect(reason('"unterminated secret')).toBe('Unterminated string in JSON at position 20');
  });

  it('a target column that is not binary shows at most 3 of its values, each cut short', () => {
    const values = ['alpha', 'beta', 'gamma', 'delta', `${'e'.repeat(60)}SECRET`];
    let message = '';
    try {
      resolveBinaryTarget('y', values);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('values found: "alpha", "beta", "gamma", …');
    expect(message).not.toContain('delta');
    expect(message).not.toContain('SECRET');
  });
});
