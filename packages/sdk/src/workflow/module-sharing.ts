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
 * code (none of it imports `@temporalio/workflow`, which a test checks) and zod.
 * Slipway's workflow code, and yours, is evaluated per run as before.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { SHARED_MODULE_STORE } from './module-sharing-store.js';

/** A webpack module record, as a run's module cache holds it. */
interface ModuleRecord {
  exports: unknown;
}

/**
 * Whether a module (by its id in the bundle: its path from the bundling root) is one runs may share: Slipway's SDK
 * outside its workflow code, and zod.
 */
export function isShareableModule(id: string): boolean {
  if (/\/packages\/sdk\/dist\/workflow\//.test(id) || /\/@slipway\/sdk\/dist\/workflow\//.test(id)) return false;
  return (
    /\/packages\/sdk\/dist\//.test(id) ||
    /\/node_modules\/@slipway\/sdk\/dist\//.test(id) ||
    /\/node_modules\/zod\//.test(id)
  );
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
  if (!store || !cache) return;
  for (const [id, record] of cache) if (!store.has(id) && isShareableModule(id)) store.set(id, record);
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
