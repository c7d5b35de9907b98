/**
 * Uniqueness in bounded memory, exactly: every non-null value's 64-bit fingerprint and position go through an
 * external sort (a fixed in-memory buffer spilling sorted runs to temporary files), and equal neighbours in the
 * sorted order are duplicates.
 */
import { tmpdir } from 'node:os';
import type { CheckResult, Expectation } from '@slipway/sdk';
import { describePosition, type RawCell, type RowPosition } from '../data/row-batch.js';
import { SampleCollector, checkResult, type CheckEvaluator } from './check.js';
import { FingerprintRuns } from './fingerprint-runs.js';
import { fingerprintInto } from './value-hash.js';
import { isNullCell } from './values.js';

/** Records kept in memory before spilling (16 bytes each: 16 MiB). */
export const UNIQUE_BUFFER_RECORDS = 1 << 20;

/** The fingerprint halves of the value being added (one array for every value). */
const halves = new Uint32Array(2);

/** Options of the uniqueness check. */
export interface UniqueOptions {
  sampleLimit: number;
  bufferRecords?: number;
  tempDir?: string;
}

/** Encodes a position as one number: a line as itself, a Parquet row group and row as a negative code. */
export function encodePosition(position: RowPosition): number {
  return 'line' in position ? position.line : -(position.rowGroup * 2 ** 32 + position.row + 1);
}

/** The inverse of {@link encodePosition}. */
export function decodePosition(code: number): RowPosition {
  if (code > 0) return { line: code };
  const n = -code - 1;
  return { rowGroup: Math.floor(n / 2 ** 32), row: n % 2 ** 32 };
}

/** An evaluator of `unique`: counts the values that repeat an earlier one. */
export function uniqueCheck(
  expectation: Extract<Expectation, { expect: 'unique' }>,
  options: UniqueOptions,
): CheckEvaluator {
  const runs = new FingerprintRuns(options.bufferRecords ?? UNIQUE_BUFFER_RECORDS, options.tempDir ?? tmpdir());
  const samples = new SampleCollector(options.sampleLimit);
  let evaluated = 0;
  return {
    expectation,
    column: expectation.column,
    observe(value: RawCell, position: RowPosition) {
      if (isNullCell(value)) return undefined;
      evaluated++;
      fingerprintInto(value, halves);
      return runs.add(halves[0] as number, halves[1] as number, encodePosition(position));
    },
    async result(): Promise<CheckResult> {
      const spilled = runs.spilledRuns;
      let duplicates = 0;
      let seen = false;
      let previousHi = 0;
      let previousLo = 0;
      let first = 0;
      await runs.forEachSorted((hi, lo, position) => {
        if (seen && hi === previousHi && lo === previousLo) {
          duplicates++;
          if (samples.samples.length < options.sampleLimit) {
            const at = describePosition(decodePosition(first));
            samples.add(decodePosition(position), expectation.column, undefined, `repeats the value at ${at}`);
          }
        } else {
          seen = true;
          previousHi = hi;
          previousLo = lo;
          first = position;
        }
      });
      return checkResult(expectation, {
        passed: duplicates === 0,
        evaluated,
        failed: duplicates,
        observed: { duplicates, spilledRuns: spilled },
        samples: samples.samples,
      });
    },
  };
}
