/** S3 settings and where they come from, without loading the AWS SDK. */

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
