/**
 * The code workflow runs may share (`@slipway/sdk/workflow-shared-modules`): Ed25519 (`@noble/ed25519`, configured
 * with `@noble/hashes`' SHA-512), loaded once per worker instead of once per run.
 *
 * Temporal's reusable V8 context runs every module's top-level code once per run, so that no run sees another's
 * module state. Slipway's bundles name this module in the bundler's `preloadModules`: it is evaluated once, before
 * any run, and the modules it loads are frozen and shared. Ed25519 keeps no per-run state, and sharing it also
 * shares the base-point table its first verification builds (about 1.3 MB and 70 ms per run otherwise). zod and
 * Slipway's schemas cannot be shared: zod 4 defines methods and caches on schema objects as they are used, which
 * frozen shared copies refuse ("object is not extensible").
 */
import '../signing/ed25519.js';
