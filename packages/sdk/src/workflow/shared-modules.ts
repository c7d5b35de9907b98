/**
 * The libraries workflow code may load once per worker and share across runs (`@slipway/sdk/workflow-shared-modules`).
 *
 * Temporal's reusable V8 context runs every module's top-level code once per run, so that no run sees another's
 * module state. For stateless libraries that copy is pure cost: zod's classes and locales and the Ed25519 library
 * with its base-point tables come to about 4 MB per cached run. Slipway's bundles name this module in the bundler's
 * `preloadModules`: it is evaluated once, before any run, and the modules it loads are frozen and shared. Only
 * libraries without per-run state belong here — zod (its global registry keys metadata by schema object) and the
 * configured Ed25519 and SHA-2 code. Slipway's own modules (contracts, schemas) stay per run: zod fills caches
 * lazily on schema objects, which freezing would break.
 */
import 'zod';
import '@noble/hashes/sha2.js';
import '../signing/ed25519.js';
