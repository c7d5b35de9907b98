/**
 * What a configuration lets Slipway read as a dataset: the worker reads only below `data.roots`; the CLI, acting
 * for the person at the keyboard on their own machine, reads any path they name. Both refuse the state directory
 * (except the artifact store inside it) and every file holding a key or token.
 */
import { ANYWHERE, parseArtifactLocation, type DatasetAccess } from '@slipway/activities';
import { auditKeyFilePath, type SlipwayConfig } from './config.js';
import { deployTargetTokenFiles } from './deploy-targets.js';
import { modelServerTokenFile } from './model-server-token.js';
import { notifierSecretFiles } from './notifiers.js';
import { temporalSecretFiles } from './temporal-setting.js';

/**
 * Files and directories never read as datasets, whatever `data.roots` says: Slipway's state directory (`home`),
 * the configuration file (it may hold keys), the model server's token file, the audit trail's signing key, the
 * deploy targets' token files, the notifiers' secret files, the Temporal client key and API key file (all may live
 * outside `home`). Every setting that
 * names a file holding a key or token must be added here.
 */
export function deniedDatasetPaths(config: SlipwayConfig): string[] {
  const secrets = [
    modelServerTokenFile(config),
    auditKeyFilePath(config),
    ...deployTargetTokenFiles(config),
    ...notifierSecretFiles(config),
    ...temporalSecretFiles(config),
  ];
  return [...new Set([config.home, ...(config.configFile === undefined ? [] : [config.configFile]), ...secrets])];
}

/** The artifact store's directory when it is local: readable even inside the state directory (snapshots live there). */
function artifactDirectories(config: SlipwayConfig): string[] {
  const location = parseArtifactLocation(config.artifacts);
  return location.kind === 'filesystem' ? [location.root] : [];
}

/**
 * The dataset access of a worker: the configured roots (default: the working directory it started in and the
 * artifact store), with {@link deniedDatasetPaths} refused and the artifact store allowed inside the state
 * directory. `embeddedDeps` passes it to every step.
 */
export function datasetAccessOf(config: SlipwayConfig): DatasetAccess {
  return {
    roots: config.data.roots,
    denied: deniedDatasetPaths(config),
    allowedInsideDenied: artifactDirectories(config),
  };
}

/**
 * The dataset access a worker uses: {@link datasetAccessOf} the configuration, or `override` (other roots, say)
 * with {@link deniedDatasetPaths} always added to its denied paths, so no override makes the state directory or a
 * secret file readable.
 */
export function workerDatasetAccess(config: SlipwayConfig, override?: DatasetAccess): DatasetAccess {
  if (override === undefined) return datasetAccessOf(config);
  return {
    roots: override.roots,
    denied: [...new Set([...override.denied, ...deniedDatasetPaths(config)])],
    allowedInsideDenied: override.allowedInsideDenied ?? artifactDirectories(config),
  };
}

/**
 * The dataset access of CLI commands that read a file the user names on their own machine (`slipway data validate`,
 * `slipway data snapshot`): they act for that user, not for a remote caller, so any local path and any bucket may
 * be read, except {@link deniedDatasetPaths} (the artifact store stays readable).
 */
export function localDatasetAccess(config: SlipwayConfig): DatasetAccess {
  return { ...datasetAccessOf(config), roots: ANYWHERE };
}
