/**
 * Slipway's workflow module sharing (`@slipway/sdk/workflow-module-sharing`, a workflow interceptors module every
 * Slipway bundle carries): runs share one instance of Slipway's pure modules — zod, the step and pipeline contracts,
 * their schemas, the signing code — instead of each run evaluating them again.
 *
 * Temporal's reusable V8 context gives every run its own module cache, so that no run sees another's module state,
 * and evaluates every module a run imports once per run: for Slipway's contracts that is building a few thousand zod
 * schemas, about a quarter of a run's time in the workflow thread. Temporal's own way to share a module
 * (`preloadModules`) deep-freezes it, which zod's schemas do not survive (they store what they compute on
 * themselves as they are used). So the sharing happens here instead:
 * - the first run's records of those modules are kept in a store (a `Map`: the shared-modules preload creates it,
 *   so every run sees the same one, and Temporal's freeze leaves a `Map`'s entries alone);
 * - every later run's module cache starts with those records, before its workflows module is imported.
 *
 * Only modules that keep no per-run state are shared ({@link isShareableModule}): Slipway's SDK outside its workflow
 * code (none of it imports `@temporalio/workflow`, which a test checks) and zod. The one state they keep across
 * runs is a cache that never changes a result: Ed25519 verification keeps the keys it saw with a table of their
 * multiples, in its WebAssembly module's memory (`signing/ed25519-verify.ts`), so a run verifying the starter's or
 * an approver's key pays ~0.1 ms.
 * Slipway's workflow code, and yours, is evaluated per run as before.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { SHARED_MODULE_STORE } from './module-sharing-store.js';

/** A webpack module record, as a run's module cache holds it. */
interface ModuleRecord {
  exports: unknown;
}

/** This module's path inside the SDK's build: its id in a bundle ends with it, after the SDK's own directory. */
const SELF = 'workflow/module-sharing.js';

/**
 * The SDK's directory in a bundle (e.g. `./node_modules/@slipway/sdk/dist/`), read from this module's own id among
 * `ids`; undefined when none is this module. Sharing goes by it, not by a name, so that another package that
 * happens to live under a path like Slipway's is never shared.
 */
export function sdkDirectoryOf(ids: Iterable<string>): string | undefined {
  for (const id of ids) if (id.endsWith(`/${SELF}`)) return id.slice(0, -SELF.length);
  return undefined;
}

/**
 * Whether a module (by its id in the bundle: its path from the bundling root) is one runs may share: a module of
 * the SDK in `sdkDirectory` outside its workflow code, or zod.
 */
export function isShareableModule(id: string, sdkDirectory: string): boolean {
  if (id.startsWith(sdkDirectory)) return !id.startsWith(`${sdkDirectory}workflow/`);
  return /\/node_modules\/zod\//.test(id);
}

function sharedStore(): Map<string, ModuleRecord> | undefined {
  const store = (globalThis as Record<string, unknown>)[SHARED_MODULE_STORE];
  return store instanceof Map ? (store as Map<string, ModuleRecord>) : undefined;
}

function runModuleCache(): Map<string, ModuleRecord> | undefined {
  const activator = (globalThis as { __TEMPORAL_ACTIVATOR__?: { moduleCache?: unknown } }).__TEMPORAL_ACTIVATOR__;
  return activator?.moduleCache instanceof Map ? (activator.moduleCache as Map<string, ModuleRecord>) : undefined;
}

/** Gives this run's module cache the shared records it does not hold yet. */
function adoptSharedModules(): void {
  const store = sharedStore();
  const cache = runModuleCache();
  if (!store || !cache) return;
  for (const [id, record] of store) if (!cache.has(id)) cache.set(id, record);
}

/** Keeps this run's records of shareable modules that the store does not hold yet. */
function keepShareableModules(): void {
  const store = sharedStore();
  const cache = runModuleCache();
  const sdkDirectory = cache && sdkDirectoryOf(cache.keys());
  if (!store || !cache || sdkDirectory === undefined) return;
  for (const [id, record] of cache) {
    if (!store.has(id) && isShareableModule(id, sdkDirectory)) store.set(id, record);
  }
}

// Evaluated per run, before the workflows module is imported.
adoptSharedModules();

/** The interceptors: none that act; the run's first activation keeps what its workflows module loaded. */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      execute(input, next) {
        keepShareableModules();
        return next(input);
      },
    },
  ],
});
