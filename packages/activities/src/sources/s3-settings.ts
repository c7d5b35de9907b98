import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import { DEFAULT_S3_REGION, describeS3Endpoint, type S3Settings } from './s3-env.js';

export { DEFAULT_S3_REGION, describeS3Endpoint, s3SettingsFromEnv, type S3Settings } from './s3-env.js';

/** How long a connection to the store may take before the attempt fails as unreachable. */
export const S3_CONNECT_TIMEOUT_MS = 5_000;

/**
 * An `S3Client` for these settings: path-style addressing with a custom endpoint, a connect timeout of
 * `S3_CONNECT_TIMEOUT_MS`, region redirects followed. Explicit keys must come in pairs; a lone access key
 * or secret fails with `SlipwayInvalidInput` rather than silently falling back to other credentials.
 */
export function createS3Client(settings: S3Settings = {}): S3Client {
  // The SDK warns on Node 20 that releases after January 2027 will need Node 22. Slipway pins the SDK to a
  // release that supports Node 20 (see package.json), so the warning would only alarm users; silence it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: settings.region ?? DEFAULT_S3_REGION,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle ?? settings.endpoint !== undefined,
    followRegionRedirects: true,
    requestHandler: { connectionTimeout: S3_CONNECT_TIMEOUT_MS },
    ...credentialsOf(settings),
  });
}

function credentialsOf(settings: S3Settings): Pick<S3ClientConfig, 'credentials'> {
  const { accessKeyId, secretAccessKey, sessionToken } = settings;
  if (accessKeyId === undefined && secretAccessKey === undefined) return {};
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `S3 settings for ${describeS3Endpoint(settings)} give ${accessKeyId === undefined ? 'a secret access key' : 'an access key id'} ` +
        `without ${accessKeyId === undefined ? 'an access key id' : 'a secret access key'} (AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY go together)',
      { endpoint: describeS3Endpoint(settings) },
    );
  }
  return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } };
}
