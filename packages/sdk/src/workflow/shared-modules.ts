/**
 * The code workflow runs may share (`@slipway/sdk/workflow-shared-modules`): Ed25519 (`@noble/ed25519`, configured
 * with `@noble/hashes`' SHA-512), loaded once per worker instead of once per run, and the store Slipway's module
 * sharing keeps the first run's records of its pure modules in (see `module-sharing.ts`).
 *
 * Temporal's reusable V8 context runs every module's top-level code once per run, so that no run sees another's
 * module state. Slipway's bundles name this module in the bundler's `preloadModules`: it is evaluated once, before
 * any run, and the modules it loads are frozen and shared. Ed25519 keeps no per-run state, and sharing it also
 * shares the base-point table its first verification builds (about 1.3 MB and 70 ms per run otherwise). zod and
 * Slipway's schemas cannot be shared this way: zod 4 stores what it computes on its schema objects as they are
 * used, which frozen shared copies refuse ("object is not extensible"); `module-sharing.ts` shares them unfrozen.
 */
import '../signing/ed25519.js';
import { SHARED_MODULE_STORE } from './module-sharing-store.js';

// Defined before any run exists, so every run's globals carry this same store.
Object.defineProperty(globalThis, SHARED_MODULE_STORE, { value: new Map(), enumerable: false });
