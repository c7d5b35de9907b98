import { SlipwayErrorType, retryableFailure } from '@slipway/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { s3Failure, type S3ObjectContext } from '../sources/s3-errors.js';
import { SourceErrorType, messageOf } from '../sources/source-errors.js';

/** What an S3 artifact store was doing when a request failed: the verb its failure messages use. */
export type S3StoreAction = 'write' | 'list';

/** Error codes of a multipart upload that another writer of the same content completed or aborted. */
const UPLOAD_GONE_CODES = new Set(['NoSuchUpload']);

/**
 * Classifies an error from a write (or list) request of an S3 artifact store the way `s3Failure` classifies
 * reads (same failure types, same retry behaviour, same details), with a message that says what was being
 * done: rejected credentials or denied access → final `SlipwayAccessDenied`; a missing bucket → final
 * `SlipwayNotFound`; an unreachable endpoint → retryable `SlipwaySourceUnreachable`; a multipart upload that
 * vanished, throttling and server errors → retryable `SlipwaySourceError`; other client errors → final
 * `SlipwayInvalidInput`. Aborts and Temporal failures pass through unchanged.
 */
export function s3StoreFailure(err: unknown, object: S3ObjectContext, action: S3StoreAction): unknown {
  const code = (err as { Code?: string; name?: string } | undefined)?.Code;
  if (code !== undefined && UPLOAD_GONE_CODES.has(code)) {
    return retryableFailure(
      SourceErrorType.StoreError,
      `S3 at ${object.endpoint} lost the multipart upload of ${object.uri} (${code}): another writer of the ` +
        'same content may have completed or aborted it; write it again',
      { uri: object.uri, bucket: object.bucket, key: object.key, endpoint: object.endpoint, code },
      { cause: err instanceof Error ? err : undefined },
    );
  }
  const classified = s3Failure(err, object);
  if (classified === err || !(classified instanceof ApplicationFailure)) return classified;
  return ApplicationFailure.create({
    type: classified.type ?? undefined,
    message: reworded(classified, err, object, action),
    nonRetryable: classified.nonRetryable === true,
    details: classified.details ?? undefined,
    ...(err instanceof Error ? { cause: err } : {}),
  });
}

function reworded(failure: ApplicationFailure, err: unknown, object: S3ObjectContext, action: S3StoreAction): string {
  const detail = (failure.details?.[0] ?? {}) as { code?: string; status?: number };
  const code = detail.code ?? 'Error';
  const doing = action === 'write' ? 'writing' : 'listing';
  const where = object.uri;
  switch (failure.type ?? '') {
    case SourceErrorType.Unreachable:
      return `Cannot reach the S3 endpoint ${object.endpoint} to ${action} ${where}: ${code} (${messageOf(err)})`;
    case SlipwayErrorType.AccessDenied: {
      const who =
        object.accessKeyId === undefined ? 'the credentials' : `the credentials (access key ${object.accessKeyId})`;
      const reason = code === 'CredentialsProviderError' ? 'no credentials were found' : `${code}: ${messageOf(err)}`;
      return (
        `S3 at ${object.endpoint} rejected ${who} ${doing} ${where}: ${reason}. Check AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY (or the s3 settings of the Slipway configuration), and that they may ' +
        `${action === 'write' ? 'write to' : 'list'} the bucket`
      );
    }
    case SlipwayErrorType.NotFound:
      return `Cannot ${action} ${where}: there is no bucket ${JSON.stringify(object.bucket)} at ${object.endpoint}`;
    default: {
      const status = detail.status === undefined ? '' : ` (HTTP ${detail.status})`;
      return `S3 at ${object.endpoint} failed ${doing} ${where}: ${code}${status}: ${messageOf(err)}`;
    }
  }
}
