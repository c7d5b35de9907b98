/**
 * `@noble/ed25519`, configured once with `@noble/hashes`' SHA-512 (it ships without a synchronous hash). Every
 * Slipway module that signs or verifies imports Ed25519 from here, so the configuration happens in one place and
 * before anything else uses the library — which also lets workflow code share one configured copy across runs
 * (see `@slipway/sdk/workflow-shared-modules`).
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

if (ed.hashes.sha512 !== sha512) ed.hashes.sha512 = sha512;

export { ed };
