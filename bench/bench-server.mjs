// Shared by the benchmarks: the embedded Temporal dev server a benchmark runs against (127.0.0.1, its database in the
// benchmark's work directory, started and stopped by the benchmark), and the CPU time it has used so far.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pidfilePath, readPidfile, startDevServer } from '@slipway/worker/dev-server';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const HOME = join(REPO_ROOT, '.slipway');

/**
 * Starts the dev server with its database under `work`; `cleanups.push` gets its stop. Resolves to the server and
 * `cpuMs()`: the CPU time (user + system, ms) the server process has used so far, or null where the system does not
 * say (it is read from /proc).
 */
export async function startBenchServer({ log, cleanups, work }) {
  log('starting the Temporal dev server');
  const server = await startDevServer({
    home: HOME,
    port: 0,
    dbFile: join(work, 'temporal.db'),
    onProgress: (m) => log(`  ${m}`),
  });
  cleanups.push(() => server.stop());
  log(`Temporal dev server on ${server.address}`);
  const port = Number(server.address.split(':').at(-1));
  const pid = (await readPidfile(pidfilePath(HOME, port)))?.pid;
  return { server, cpuMs: () => processCpuMs(pid) };
}

/** CPU time (ms) process `pid` has used, from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms). */
function processCpuMs(pid) {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
