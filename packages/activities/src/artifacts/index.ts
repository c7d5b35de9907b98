/**
 * Artifact stores: content-addressed, immutable storage for models, reports and profiles. Only the
 * references they return (`uri`, sha256 `digest`, `size`) travel through workflow history.
 *
 * `createFsArtifactStore(root)` is the embedded default: files under a local directory, written atomically,
 * verified on every read. `createS3ArtifactStore({ bucket, prefix, settings })` keeps the same objects in S3
 * or an S3-compatible store. `openArtifactStore(location)` picks one from a configured location (a
 * directory or `s3://bucket/prefix`), and `checkArtifactStore(store)` tells at start-up whether it is usable.
 *
 * ```ts
 * const store = openArtifactStore(process.env.SLIPWAY_ARTIFACTS ?? '.slipway/artifacts');
 * await checkArtifactStore(store);
 * const ref = await store.putJson({ weights: [0.1, 0.2] });
 * ```
 *
 * @packageDocumentation
 */
export { DEFAULT_MEDIA_TYPE, JSON_MEDIA_TYPE, type CheckableArtifactStore } from './artifact-common.js';
export { createFsArtifactStore } from './fs-artifact-store.js';
export {
  checkArtifactStore,
  openArtifactStore,
  parseArtifactLocation,
  type ArtifactLocation,
  type OpenArtifactStoreOptions,
} from './open-store.js';
export { createS3ArtifactStore, type S3ArtifactStore, type S3ArtifactStoreOptions } from './s3-artifact-store.js';
