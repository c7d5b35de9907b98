import { describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import {
  SourceErrorType,
  createS3Client,
  parseS3Uri,
  s3Failure,
  s3SettingsFromEnv,
} from '../../../packages/activities/src/sources/index.js';
import { loadConfig } from '../../../packages/worker/src/config/index.js';

describe('S3 settings', () => {
  it('reads the endpoint, region, keys and path style from the environment, Slipway variable first', () => {
    expect(
      s3SettingsFromEnv({
        SLIPWAY_S3_ENDPOINT: 'http://127.0.0.1:7070',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9999',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AK',
        AWS_SECRET_ACCESS_KEY: 'SK',
        AWS_SESSION_TOKEN: '',
        SLIPWAY_S3_FORCE_PATH_STYLE: 'false',
      }),
    ).toEqual({
      endpoint: 'http://127.0.0.1:7070',
      region: 'eu-west-1',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      forcePathStyle: false,
    });
    expect(s3SettingsFromEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9999', AWS_REGION: 'x' })).toEqual({
      endpoint: 'http://127.0.0.1:9999',
      region: 'x',
    });
    expect(s3SettingsFromEnv({})).toEqual({});
  });

  it('flows into the worker configuration, the environment over the config file', () => {
    const config = loadConfig({
      cwd: '/nonexistent',
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:7070', AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' },
      overrides: { s3: { region: 'ap-south-1' } },
    });
    expect(config.s3).toEqual({
      endpoint: 'http://127.0.0.1:7070',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      region: 'ap-south-1',
    });
    expect(loadConfig({ cwd: '/nonexistent', env: {} }).s3).toEqual({});
    expect(() => loadConfig({ cwd: '/nonexistent', env: { SLIPWAY_S3_ENDPOINT: 'not a url' } })).toThrow(
      /invalid Slipway configuration in the environment: .*s3\.endpoint/,
    );
  });

  it('uses path-style addressing with a custom endpoint and refuses half a key pair', async () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:7070' });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('us-east-1');
    expect(createS3Client({}).config.forcePathStyle).toBe(false);
    expect(() => createS3Client({ accessKeyId: 'AK' })).toThrow(
      expect.objectContaining({
        type: SlipwayErrorType.InvalidInput,
        message: expect.stringContaining('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together'),
      }),
    );
  });

  it('parses s3://bucket/key, keys taken literally', () => {
    expect(parseS3Uri('s3://b/dir/a%20b.csv')).toEqual({ bucket: 'b', key: 'dir/a%20b.csv' });
    expect(() => parseS3Uri('s3:///key')).toThrow(/is not an S3 URI/);
  });
});

describe('s3Failure', () => {
  const object = { uri: 's3://b/k.csv', bucket: 'b', key: 'k.csv', endpoint: 'http://127.0.0.1:7070' };
  const sdkError = (name: string, status: number) =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

  it('classifies throttling and server errors as retryable, other client errors as final', () => {
    expect(s3Failure(sdkError('SlowDown', 503), object)).toMatchObject({
      type: SourceErrorType.StoreError,
      nonRetryable: false,
    });
    expect(s3Failure(sdkError('InvalidBucketName', 400), object)).toMatchObject({
      type: SlipwayErrorType.InvalidInput,
      nonRetryable: true,
      message: expect.stringContaining('http://127.0.0.1:7070'),
    });
    expect(s3Failure(sdkError('PreconditionFailed', 412), object)).toMatchObject({
      type: SourceErrorType.StoreError,
      message: expect.stringContaining('changed while it was being read'),
    });
  });

  it('names missing keys and buckets, rejected credentials and unreachable endpoints', () => {
    expect(s3Failure(sdkError('NoSuchKey', 404), object)).toMatchObject({
      type: SlipwayErrorType.NotFound,
      message: 'S3 object s3://b/k.csv does not exist: no key "k.csv" in bucket "b" at http://127.0.0.1:7070',
    });
    expect(s3Failure(sdkError('NoSuchBucket', 404), object)).toMatchObject({
      type: SlipwayErrorType.NotFound,
      message: expect.stringContaining('there is no bucket "b"'),
    });
    // versitygw answers an unknown access key with a 404 of its own.
    for (const [name, status] of [
      ['XAdminUserNotFound', 404],
      ['InvalidAccessKeyId', 403],
      ['Unknown', 403],
    ] as const) {
      expect(s3Failure(sdkError(name, status), { ...object, accessKeyId: 'AK1' })).toMatchObject({
        type: SourceErrorType.AccessDenied,
        nonRetryable: true,
        message: expect.stringMatching(/^S3 at http:\/\/127\.0\.0\.1:7070 rejected the credentials \(access key AK1\)/),
      });
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7070'), { code: 'ECONNREFUSED' });
    expect(s3Failure(refused, object)).toMatchObject({
      type: SourceErrorType.Unreachable,
      nonRetryable: false,
      message: expect.stringContaining('Cannot reach the S3 endpoint http://127.0.0.1:7070 to read s3://b/k.csv'),
    });
  });

  it('lets aborts pass through', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(s3Failure(abort, object)).toBe(abort);
  });
});
