// The ways people list pending gates, each timed from the request to the whole list in hand, and each checked to
// list exactly the gates that are open (a fast wrong answer fails the benchmark).
import { median, runTimed } from './processes.mjs';

/** `slipway approvals --json` as a person runs it: a fresh CLI process (start-up included) printing every gate. */
export function cliListing(cli, env, cwd) {
  return {
    name: 'cli',
    label: '`slipway approvals --json`',
    async run() {
      const { stdout, seconds } = await runTimed(
        'slipway approvals --json',
        process.execPath,
        [cli, 'approvals', '--json'],
        {
          cwd,
          env,
        },
      );
      return { seconds, runIds: JSON.parse(stdout).map((gate) => gate.runId) };
    },
  };
}

/** How long the CLI takes to start and exit without calling Temporal (`slipway approvals --help`): `cli`'s floor. */
export async function cliStartupSeconds(cli, env, cwd, repeat) {
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const help = await runTimed('slipway approvals --help', process.execPath, [cli, 'approvals', '--help'], {
      cwd,
      env,
    });
    times.push(help.seconds);
  }
  return median(times);
}

/** `SlipwayClient.pendingApprovals()` in this process, on a connection already open. */
export function clientPendingListing(client) {
  return {
    name: 'client',
    label: '`SlipwayClient.pendingApprovals()`',
    async run() {
      const started = performance.now();
      const pending = await client.pendingApprovals();
      return { seconds: (performance.now() - started) / 1000, runIds: pending.map((p) => p.runId) };
    },
  };
}

/** `SlipwayClient.listGates({ status: 'pending' })`, where the client has it: the visibility store alone. */
export function clientListGatesListing(client) {
  if (typeof client.listGates !== 'function') return undefined;
  return {
    name: 'client_list_gates',
    label: "`SlipwayClient.listGates({ status: 'pending' })`",
    async run() {
      const started = performance.now();
      const listed = await client.listGates({ status: 'pending' });
      return { seconds: (performance.now() - started) / 1000, runIds: listed.map((gate) => gate.runId) };
    },
  };
}

/**
 * Times each listing `repeat` times, alternating between them so that a change in the machine's load falls on
 * all; checks every answer against `expected` (the run ids of the open gates). Resolves to the median seconds of
 * each, by name, and every time measured.
 */
export async function timeListings(listings, { expected, repeat, log }) {
  const times = Object.fromEntries(listings.map((l) => [l.name, []]));
  for (let round = 1; round <= repeat; round++) {
    for (const listing of listings) {
      const { seconds, runIds } = await listing.run();
      checkListed(listing.label, runIds, expected);
      times[listing.name].push(seconds);
      log(`${listing.label}: ${runIds.length} gates in ${seconds.toFixed(2)} s (round ${round}/${repeat})`);
    }
  }
  return {
    medians: Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)])),
    times,
  };
}

function checkListed(label, runIds, expected) {
  const listed = new Set(runIds);
  const missing = expected.filter((id) => !listed.has(id));
  const open = new Set(expected);
  const extra = runIds.filter((id) => !open.has(id));
  if (missing.length === 0 && extra.length === 0 && listed.size === runIds.length) return;
  const sample = (ids) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : '');
  throw new Error(
    `${label} listed ${runIds.length} gates, not the ${expected.length} open ones` +
      (missing.length ? `; missing ${missing.length}: ${sample(missing)}` : '') +
      (extra.length ? `; not open: ${extra.length}: ${sample(extra)}` : '') +
      (listed.size !== runIds.length ? '; some twice' : ''),
  );
}
