/** Work that must not overlap within this process, queued per key (e.g. per file). */

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call with the same `key` in this process has settled (whatever its outcome),
 * and returns its result. Keys are global to the process: name them after what they guard, e.g.
 * `audit-log:/abs/path`.
 */
export function runSerially<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}
