/**
 * The packages' entry points, as a user imports them (through `exports`): the root of `@slipway/activities` holds
 * what a worker is made of, and its building blocks are in subpaths; the root of `@slipway/worker` holds the worker
 * and its configuration, the dev server and model server are subpaths, and the CLI's renderers are exported nowhere.
 * On the old surfaces every name below was exported from the package roots.
 */
import { describe, expect, it } from 'vitest';

const keys = async (specifier: string) => Object.keys((await import(specifier)) as Record<string, unknown>);

describe('@slipway/activities entry points', () => {
  it('keeps the building blocks out of the root and in their subpaths', async () => {
    const root = await keys('@slipway/activities');
    const subpaths: Record<string, string[]> = {
      '@slipway/activities/data': ['readCsvRows', 'openRowReader', 'scanDataset', 'createProfiler'],
      '@slipway/activities/stats': ['psi', 'ksTwoSample', 'chiSquareHomogeneity', 'TDigest'],
      '@slipway/activities/monitor': ['computeDriftReport', 'featureDrift', 'binNumeric', 'countCategorical'],
      '@slipway/activities/guard': ['createGuardCheckActivity', 'judgeFeatures', 'renderGuardPage', 'listRowsFiles'],
      '@slipway/activities/train': ['auc', 'splitRows', 'mulberry32', 'checkPredictionRow', 'runTrainerProcess'],
      '@slipway/activities/steps': ['createValidateActivity', 'createDeployActivity', 'TrainRunTag'],
    };
    for (const [subpath, names] of Object.entries(subpaths)) {
      expect(await keys(subpath), subpath).toEqual(expect.arrayContaining(names));
      expect(
        root.filter((name) => names.includes(name)),
        `${subpath} names at the root`,
      ).toEqual([]);
    }
  });

  it('exports the worker-building API from the root', async () => {
    expect(await keys('@slipway/activities')).toEqual(
      expect.arrayContaining([
        'createActivities',
        'implementStep',
        'defineActivities',
        'openArtifactStore',
        'openRegistry',
        's3SettingsFromEnv',
        'datasetSourceOpener',
        'fileDirectorySource',
        'createModelServerClient',
        'builtinPredictors',
        'openAuditLog',
        'withAudit',
        'verifyAuditLog',
      ]),
    );
  });
});

describe('@slipway/worker entry points', () => {
  it('exports the worker and its configuration from the root; no CLI renderer anywhere', async () => {
    const root = await keys('@slipway/worker');
    expect(root).toEqual(
      expect.arrayContaining(['createSlipwayWorker', 'loadConfig', 'embeddedDeps', 'configuredProcessTrainers']),
    );
    const renderers = [
      'renderStep',
      'renderSteps',
      'renderEvidence',
      'renderStatus',
      'renderPending',
      'describeWaitingGate',
    ];
    const everywhere = [
      ...root,
      ...(await keys('@slipway/worker/dev-server')),
      ...(await keys('@slipway/worker/serve')),
    ];
    expect(everywhere.filter((name) => renderers.includes(name))).toEqual([]);
  });

  it('keeps the dev server and the model server in their subpaths', async () => {
    const root = await keys('@slipway/worker');
    expect(await keys('@slipway/worker/dev-server')).toEqual(expect.arrayContaining(['startDevServer', 'freePort']));
    expect(await keys('@slipway/worker/serve')).toEqual(expect.arrayContaining(['startModelServer']));
    expect(root.filter((name) => ['startDevServer', 'freePort', 'startModelServer'].includes(name))).toEqual([]);
  });
});
