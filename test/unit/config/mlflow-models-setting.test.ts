/**
 * With an MLflow registry and artifacts in S3, the configured registry writes ONNX versions as MLflow Models next
 * to the artifacts; with a local artifact directory (which an MLflow server cannot read) it does not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configuredMlflowModels, loadConfig } from '../../../packages/worker/src/config/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('MLflow Models of ONNX versions', () => {
  it('go next to S3 artifacts, under <prefix>/mlflow-models, one directory per manifest digest', () => {
    const env = {
      SLIPWAY_REGISTRY: 'mlflow+http://127.0.0.1:5000',
      SLIPWAY_ARTIFACTS: 's3://ml-artifacts/team/slipway',
    };
    const models = configuredMlflowModels(loadConfig({ cwd: dir, env }));
    expect(models?.store.location).toBe('s3://ml-artifacts/team/slipway/mlflow-models');
    const digest = `sha256:${'0f'.repeat(32)}`;
    expect(models?.store.directoryUri(digest)).toBe(`s3://ml-artifacts/team/slipway/mlflow-models/${'0f'.repeat(32)}`);
    models?.store.close();
  });

  it('are not written for a local artifact directory', () => {
    const env = { SLIPWAY_REGISTRY: 'mlflow+http://127.0.0.1:5000', SLIPWAY_ARTIFACTS: join(dir, 'artifacts') };
    expect(configuredMlflowModels(loadConfig({ cwd: dir, env }))).toBeUndefined();
  });
});
