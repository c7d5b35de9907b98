/** `s3://bucket/key` URIs, parsed without loading the AWS SDK. */
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';

/** A bucket and key. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/**
 * The bucket and key of `s3://bucket/key`. The key is taken literally (no percent-decoding), as the AWS CLI
 * does. Anything else fails with `SlipwayInvalidInput`.
 */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw finalFailure(SlipwayErrorType.InvalidInput, `${uri} is not an S3 URI: expected s3://bucket/key`, { uri });
  }
  return { bucket: match[1], key: match[2] };
}
