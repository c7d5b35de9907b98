/**
 * The workflow thread's heap limit. A Slipway worker runs its workflows in one worker thread (Temporal's reusable
 * V8 context), whose heap V8 sizes from the machine's memory (about 4 GB on 16–24 GB machines) and lets grow to
 * several times what the cached runs hold before it collects: a worker holding 1,000 waiting gates with 64 runs
 * cached settled at 1.4 GB resident with about 0.4 GB of it live. Temporal starts that thread without resource
 * limits, so the one lever is V8's `--max-old-space-size` flag, read when the thread's isolate is created: set here
 * (for threads created after this call; the main thread's heap, configured at start, is untouched) from the
 * cache size, unless the process was started with an explicit `--max-old-space-size`, which then holds for every
 * thread as the operator chose.
 */
import v8 from 'node:v8';

/** Heap for what every workflow thread holds whatever it caches: the bundle, Temporal's runtime, the shared modules. */
const BASE_HEAP_MB = 256;
/**
 * Heap per cached run: about 4.5 MB live (each run's own copy of Slipway's modules and its state, measured by
 * `bench/gates`), doubled so that collections stay rare while runs come and go.
 */
const HEAP_PER_CACHED_RUN_MB = 6;
/** The cap's floor: a small cache still needs room for histories being replayed. */
const MIN_HEAP_MB = 384;

/** The workflow thread's heap limit for a cache of `maxCachedWorkflows` runs (0: no cache, replay every task). */
export function defaultWorkflowHeapMb(maxCachedWorkflows: number): number {
  return Math.max(MIN_HEAP_MB, BASE_HEAP_MB + HEAP_PER_CACHED_RUN_MB * maxCachedWorkflows);
}

/** Whether the process was started with `--max-old-space-size` (on its command line or in `NODE_OPTIONS`). */
export function hasExplicitHeapLimit(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): boolean {
  const named = (arg: string) => /^--max[-_]old[-_]space[-_]size(=|$)/.test(arg);
  return execArgv.some(named) || nodeOptions.split(/\s+/).some(named);
}

/**
 * Caps the heap of worker threads started from now on (the workflow thread `Worker.create` starts) at `mb`,
 * unless the process has an explicit heap limit. Returns the cap it set, or `undefined` when it left V8 alone.
 */
export function capWorkflowThreadHeap(mb: number): number | undefined {
  if (!Number.isInteger(mb) || mb < 64)
    throw new Error(`the workflow heap limit must be a whole number of MB of at least 64, got ${mb}`);
  if (hasExplicitHeapLimit()) return undefined;
  v8.setFlagsFromString(`--max-old-space-size=${mb}`);
  return mb;
}
