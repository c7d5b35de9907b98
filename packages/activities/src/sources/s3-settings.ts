import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';

/**
 * How to reach S3 or an S3-compatible store. Every field is optional: without `endpoint` the client talks
 * to AWS S3; without keys it uses the AWS SDK's default credential chain (environment, shared config
 * files, instance or container roles).
 */
export interface S3Settings {
  /** A custom endpoint such as `http://127.0.0.1:7070` (MinIO, versitygw, Ceph, R2 …). */
  endpoint?: string;
  /** The signing region (default `us-east-1`; requests to AWS follow a bucket's region redirects). */
  region?: string;
  /** The access key id; set together with `secretAccessKey`. */
  accessKeyId?: string;
  /** The secret access key. */
  secretAccessKey?: string;
  /** A session token, for temporary credentials. */
  sessionToken?: string;
  /** Path-style URLs (`endpoint/bucket/key`); default: on with a custom endpoint, off for AWS. */
  forcePathStyle?: boolean;
}

/** The region used when none is configured. */
export const DEFAULT_S3_REGION = 'us-east-1';

/** How long a connection to the store may take before the attempt fails as unreachable. */
export const S3_CONNECT_TIMEOUT_MS = 5_000;

/**
 * S3 settings from environment variables: `SLIPWAY_S3_ENDPOINT`, else `AWS_ENDPOINT_URL_S3`, else
 * `AWS_ENDPOINT_URL`; `AWS_REGION` (or `AWS_DEFAULT_REGION`); `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`; `SLIPWAY_S3_FORCE_PATH_STYLE` (`true`/`false`). Empty variables count as unset.
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const get = (...names: string[]): string | undefined =>
    names.map((name) => env[name]).find((value) => value !== undefined && value !== '');
  const pathStyle = get('SLIPWAY_S3_FORCE_PATH_STYLE');
  const settings: S3Settings = {
    endpoint: get('SLIPWAY_S3_ENDPOINT', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'),
    region: get('AWS_REGION', 'AWS_DEFAULT_REGION'),
    accessKeyId: get('AWS_ACCESS_KEY_ID'),
    secretAccessKey: get('AWS_SECRET_ACCESS_KEY'),
    sessionToken: get('AWS_SESSION_TOKEN'),
    forcePathStyle: pathStyle === undefined ? undefined : /^(1|true|yes|on)$/i.test(pathStyle),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

/** A short description of where requests go, for messages: the endpoint, or `AWS S3 (<region>)`. */
export function describeS3Endpoint(settings: S3Settings): string {
  return settings.endpoint ?? `AWS S3 (${settings.region ?? DEFAULT_S3_REGION})`;
}

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
