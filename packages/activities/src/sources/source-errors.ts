import { FinalErrorType, RetryableErrorType, SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ApplicationFailure } from '@temporalio/common';

/**
 * Failure types byte sources raise besides `SlipwayNotFound` and `SlipwayInvalidInput`, defined with every other
 * Slipway error type in `@slipway/sdk`. Compare by `type` (see `failureType` in `@slipway/sdk`), never with
 * `instanceof`.
 */
export const SourceErrorType = {
  /**
   * Final: the store rejected the credentials (unknown access key, wrong secret, expired token) or they may
   * not read the object. Retrying with the same credentials cannot help.
   */
  AccessDenied: FinalErrorType.AccessDenied,
  /** Retryable: the store could not be reached (connection refused or reset, DNS failure, timeout). */
  Unreachable: RetryableErrorType.SourceUnreachable,
  /** Retryable: the store answered with another error (a 5xx, throttling, an object replaced mid-read). */
  StoreError: RetryableErrorType.SourceStoreError,
} as const;
/** A failure type raised by byte sources. */
export type SourceErrorType = (typeof SourceErrorType)[keyof typeof SourceErrorType];

/** A final failure saying the store refused the credentials. */
export function accessDenied(message: string, details: Record<string, unknown>): ApplicationFailure {
  return finalFailure(SourceErrorType.AccessDenied, message, details);
}

/** Throws `SlipwayInvalidInput` unless `start` is a non-negative safe integer. */
export function checkOffset(name: string, start: number): void {
  if (!Number.isSafeInteger(start) || start < 0) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Cannot read ${name} from offset ${start}: expected a non-negative integer`,
      { source: name, start },
    );
  }
}

/** Throws `SlipwayInvalidInput` unless `[start, end)` is a well-formed byte range. */
export function checkRange(name: string, start: number, end: number): void {
  checkOffset(name, start);
  if (!Number.isSafeInteger(end) || end < start) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Cannot read bytes [${start}, ${end}) of ${name}: the end must be an integer no less than the start`,
      { source: name, start, end },
    );
  }
}

/** The `SlipwayInvalidInput` failure for a read that goes past the end of the object. */
export function pastTheEnd(name: string, start: number, end: number, size: number): ApplicationFailure {
  return finalFailure(
    SlipwayErrorType.InvalidInput,
    `Cannot read bytes [${start}, ${end}) of ${name}: it has only ${size} bytes`,
    { source: name, start, end, size },
  );
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
