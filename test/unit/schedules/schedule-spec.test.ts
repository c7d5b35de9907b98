/**
 * What a schedule is made of, checked before Temporal is asked: cron expressions (the failing field named), overlap
 * policies, catch-up windows, expiries and ids namespaced per pipeline and model.
 */
import {
  ClientErrorCode,
  SlipwayClientError,
  modelOfInput,
  parseCatchupWindow,
  parseCron,
  parseExpiry,
  parseOverlap,
  scheduleIdOf,
} from '@slipway/sdk/client';
import { describe, expect, it } from 'vitest';

function refusal(fn: () => unknown): SlipwayClientError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SlipwayClientError);
    expect((err as SlipwayClientError).code).toBe(ClientErrorCode.InvalidInput);
    return err as SlipwayClientError;
  }
  throw new Error('expected a refusal');
}

describe('cron', () => {
  it('accepts five fields with numbers, names, ranges, lists and steps, and the @ aliases', () => {
    expect(parseCron('0 6 * * 1')).toBe('0 6 * * 1');
    expect(parseCron('  */15   9-17 * * mon-fri ')).toBe('*/15 9-17 * * mon-fri');
    expect(parseCron('0 0 1 jan,jul *')).toBe('0 0 1 jan,jul *');
    expect(parseCron('0 0 1-31/2 * 0,7')).toBe('0 0 1-31/2 * 0,7');
    expect(parseCron('@Daily')).toBe('@daily');
    expect(parseCron('@hourly')).toBe('@hourly');
  });

  it.each([
    ['0 25 * * *', 'field hour "25": 25 is out of range 0-23'],
    ['60 * * * *', 'field minute "60": 60 is out of range 0-59'],
    ['* * 0 * *', 'field day-of-month "0": 0 is out of range 1-31'],
    ['* * * 13 *', 'field month "13": 13 is out of range 1-12'],
    ['* * * * 8', 'field day-of-week "8": 8 is out of range 0-7'],
    ['*/0 * * * *', 'field minute "*/0": step "0" is not a positive whole number'],
    ['x * * * *', 'field minute "x": "x" is not a number'],
    ['* * * foo *', 'field month "foo": "foo" is not a number or a name (jan,'],
    ['5-1 * * * *', 'field minute "5-1": range 5-1 goes backwards'],
    ['1-2-3 * * * *', 'field minute "1-2-3": "1-2-3" is not a value or a range a-b'],
    ['* * * *', 'expected 5 fields'],
    ['', 'expected 5 fields'],
    ['@every 5m', 'expected 5 fields'],
  ])('refuses %j naming the field', (cron, message) => {
    expect(refusal(() => parseCron(cron)).message).toContain(message);
  });
});

describe('overlap, catch-up window and expiry', () => {
  it('maps each overlap name to Temporal’s policy, skip by default, and refuses others naming the choices', () => {
    expect(parseOverlap(undefined)).toBe('SKIP');
    expect(parseOverlap('skip')).toBe('SKIP');
    expect(parseOverlap('buffer-one')).toBe('BUFFER_ONE');
    expect(parseOverlap('allow-all')).toBe('ALLOW_ALL');
    expect(parseOverlap('cancel-other')).toBe('CANCEL_OTHER');
    expect(refusal(() => parseOverlap('toString')).message).toContain(
      'overlap "toString": expected one of skip, buffer-one, allow-all, cancel-other',
    );
  });

  it('takes a catch-up window of at least 10s, 15m by default', () => {
    expect(parseCatchupWindow(undefined)).toBe(15 * 60_000);
    expect(parseCatchupWindow('2h')).toBe(2 * 3_600_000);
    expect(refusal(() => parseCatchupWindow('5s')).message).toContain(
      'catchup "5s": the catch-up window is at least 10s',
    );
    expect(refusal(() => parseCatchupWindow('soon')).message).toContain('catchup "soon": expected a duration');
  });

  it('takes an expiry as an ISO time or a duration from now, and refuses the past and anything else', () => {
    const now = new Date('2026-12-03T00:00:00.000Z');
    expect(parseExpiry(undefined, now)).toBeUndefined();
    expect(parseExpiry('90d', now)).toBe('2027-03-03T00:00:00.000Z');
    expect(parseExpiry('2027-01-01T00:00:00Z', now)).toBe('2027-01-01T00:00:00.000Z');
    expect(refusal(() => parseExpiry('2026-01-01T00:00:00Z', now)).message).toContain('is not in the future');
    expect(refusal(() => parseExpiry('2026-13-45', now)).message).toContain('expires "2026-13-45"');
    expect(refusal(() => parseExpiry('later', now)).message).toContain('expires "later"');
  });
});

describe('schedule ids', () => {
  it('are namespaced per pipeline and model, with - for an input that names no model', () => {
    expect(scheduleIdOf('trainAndPromote', 'churn', 'weekly')).toBe('schedule:trainAndPromote:churn:weekly');
    expect(scheduleIdOf('countRows', undefined, 'default')).toBe('schedule:countRows:-:default');
    expect(modelOfInput({ modelName: 'churn' })).toBe('churn');
    expect(modelOfInput({ model: 'house' })).toBe('house');
    expect(modelOfInput({ dataset: {} })).toBeUndefined();
    expect(modelOfInput('x')).toBeUndefined();
  });

  it('refuses names that would break the id', () => {
    expect(refusal(() => scheduleIdOf('trainAndPromote', 'churn', 'every week')).message).toContain(
      'schedule name "every week"',
    );
    expect(refusal(() => scheduleIdOf('trainAndPromote', 'a:b', 'x')).message).toContain('schedule model "a:b"');
  });
});
