// Shared by the benchmarks: what a benchmark started, stopped in reverse order at the end, on failure and on Ctrl-C.

/** Everything started, stopped in reverse order at the end, on failure and on Ctrl-C. */
export function cleanupStack(log) {
  const cleanups = [];
  let cleaning;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((error) => log(`cleanup: ${error instanceof Error ? error.message : String(error)}`));
      }
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      log(`${signal}: stopping everything this benchmark started`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  return { push: (fn) => cleanups.push(fn), cleanUp };
}
