import { SlipwayErrorType, finalFailure, retryableFailure } from '@slipway/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { SourceErrorType, accessDenied, messageOf } from './source-errors.js';

/** The object a request was about, for messages and failure details. */
export interface S3ObjectContext {
  /** `s3://bucket/key`. */
  readonly uri: string;
  readonly bucket: string;
  readonly key: string;
  /** Where the request went (`describeS3Endpoint`). */
  readonly endpoint: string;
  /** The access key id the request was signed with, when it was configured explicitly. */
  readonly accessKeyId?: string | undefined;
}

/** Socket and DNS error codes that mean the endpoint could not be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

/** Error codes meaning the store did not accept who signed the request. */
const CREDENTIAL_CODES = new Set([
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AuthorizationHeaderMalformed',
  'InvalidClientTokenId',
  'CredentialsProviderError',
  // versitygw answers an unknown access key with 404 XAdminUserNotFound.
  'XAdminUserNotFound',
]);

/** What can be read off an AWS SDK error (or a socket error it passed through). */
interface ErrorFacts {
  name: string;
  code: string;
  status: number | undefined;
  network: string | undefined;
  message: string;
}

function factsOf(err: unknown): ErrorFacts {
  const e = (err ?? {}) as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    errors?: Array<{ code?: string }>;
    cause?: { code?: string };
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name ?? 'Error';
  const network = [e.code, e.errors?.[0]?.code, e.cause?.code].find((c) => c !== undefined && NETWORK_CODES.has(c));
  return {
    name,
    code: e.Code ?? name,
    status: e.$metadata?.httpStatusCode,
    network: network ?? (name === 'TimeoutError' ? 'ETIMEDOUT' : undefined),
    message: messageOf(err),
  };
}

/**
 * Turns an error from an S3 request about `object` into a failure that names the object and the endpoint:
 * missing key or bucket → final `SlipwayNotFound`; rejected credentials or denied access → final
 * `SlipwayAccessDenied`; unreachable endpoint → retryable `SlipwaySourceUnreachable`; throttling and
 * server errors → retryable `SlipwaySourceError`; other client errors → final `SlipwayInvalidInput`.
 * Aborts and failures that are already Temporal failures pass through unchanged.
 */
export function s3Failure(err: unknown, object: S3ObjectContext): unknown {
  if (err instanceof ApplicationFailure || (err as Error | undefined)?.name === 'AbortError') return err;
  const facts = factsOf(err);
  const details = { uri: object.uri, bucket: object.bucket, key: object.key, endpoint: object.endpoint };
  const cause = err instanceof Error ? err : undefined;
  if (facts.network !== undefined) {
    return retryableFailure(
      SourceErrorType.Unreachable,
      `Cannot reach the S3 endpoint ${object.endpoint} to read ${object.uri}: ${facts.network} (${facts.message})`,
      { ...details, code: facts.network },
      { cause },
    );
  }
  if (CREDENTIAL_CODES.has(facts.code) || facts.code === 'AccessDenied' || facts.status === 403) {
    return credentialsRejected(facts, object, details);
  }
  if (facts.code === 'NoSuchBucket') return bucketNotFound(object);
  if (facts.code === 'NoSuchKey' || facts.status === 404) {
    return finalFailure(
      SlipwayErrorType.NotFound,
      `S3 object ${object.uri} does not exist: no key ${JSON.stringify(object.key)} in bucket ` +
        `${JSON.stringify(object.bucket)} at ${object.endpoint}`,
      details,
    );
  }
  return otherFailure(facts, object, details, cause);
}

/** The final failure for a bucket that does not exist. */
function bucketNotFound(object: S3ObjectContext): ApplicationFailure {
  return finalFailure(
    SlipwayErrorType.NotFound,
    `S3 object ${object.uri} does not exist: there is no bucket ${JSON.stringify(object.bucket)} at ${object.endpoint}`,
    { uri: object.uri, bucket: object.bucket, key: object.key, endpoint: object.endpoint },
  );
}

function credentialsRejected(
  facts: ErrorFacts,
  object: S3ObjectContext,
  details: Record<string, unknown>,
): ApplicationFailure {
  const who =
    object.accessKeyId === undefined ? 'the credentials' : `the credentials (access key ${object.accessKeyId})`;
  const reason =
    facts.code === 'CredentialsProviderError'
      ? 'no credentials were found'
      : facts.code === 'AccessDenied' || (facts.status === 403 && !CREDENTIAL_CODES.has(facts.code))
        ? `access denied (${facts.code}): the key may be unknown or the secret wrong, or it may not read this object`
        : `${facts.code}: ${facts.message}`;
  return accessDenied(
    `S3 at ${object.endpoint} rejected ${who} reading ${object.uri}: ${reason}. Check AWS_ACCESS_KEY_ID and ` +
      'AWS_SECRET_ACCESS_KEY (or the s3 settings of the Slipway configuration)',
    { ...details, code: facts.code, ...(object.accessKeyId === undefined ? {} : { accessKeyId: object.accessKeyId }) },
  );
}

function otherFailure(
  facts: ErrorFacts,
  object: S3ObjectContext,
  details: Record<string, unknown>,
  cause: Error | undefined,
): ApplicationFailure {
  const status = facts.status === undefined ? '' : ` (HTTP ${facts.status})`;
  const described = `S3 at ${object.endpoint} failed reading ${object.uri}: ${facts.code}${status}: ${facts.message}`;
  const withCode = { ...details, code: facts.code, status: facts.status };
  if (facts.status === 412) {
    const message = `S3 object ${object.uri} at ${object.endpoint} changed while it was being read; read it again`;
    return retryableFailure(SourceErrorType.StoreError, message, withCode, { cause });
  }
  const clientError =
    facts.status !== undefined && facts.status >= 400 && facts.status < 500 && ![408, 429].includes(facts.status);
  if (clientError) return finalFailure(SlipwayErrorType.InvalidInput, described, withCode);
  return retryableFailure(SourceErrorType.StoreError, described, withCode, { cause });
}
