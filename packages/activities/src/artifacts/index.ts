/**
 * Artifact stores: content-addressed, immutable storage for models, reports and profiles. Only the
 * references they return (`uri`, sha256 `digest`, `size`) travel through workflow history.
 *
 * `createFsArtifactStore(root)` is the embedded default: files under a local directory, written atomically,
 * verified on every read.
 *
 * @packageDocumentation
 */
export { createFsArtifactStore, DEFAULT_MEDIA_TYPE, JSON_MEDIA_TYPE } from './fs-artifact-store.js';
