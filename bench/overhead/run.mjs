#!/usr/bin/env node
// bench/overhead: what Slipway's orchestration costs over hand-written Temporal code. The built-in `trainAndPromote`
// (input parsing, progress tracker, search attributes and memo, signed start, approval gate with signed decisions)
// runs with no-op activities against `raw-workflow.mjs`, the same activities in the same order with a plain Update
// for the gate, on the same dev server, in batches whose order rotates over the sides. Every run's gate is approved as
// soon as it opens, through the real Update path. A third side, the baseline making the records Slipway's runs ask
// the server to keep (search attributes, memo, patch marker, proof-sized inputs; the gate read before the decision),
// splits the gap into what those records cost and what Slipway's own code costs. Reports throughput (runs/s) and
// step dispatch latency from the histories; ends with one JSON line (see bench/README.md).
//
//   npm run bench:overhead                                  5 rounds of 20 runs a side, 10 in flight
//   npm run bench:overhead -- --rounds 10 --batch 40        more
import proto from '@temporalio/proto';
import { median } from '../gates/processes.mjs';
import { activityLatencies, fetchHistories, replayMsPerRun } from './histories.mjs';
import { orderOf, SIDES, wholeRun } from './runs.mjs';
import { integerOptions, logger, runBench, startBench } from './setup.mjs';
import { round, rounded, spread } from './stats.mjs';

const { temporal } = proto;
const log = logger('bench:overhead');
/** The issue's target: Slipway's throughput at least this share of the baseline's. */
const TARGET_RATIO = 0.95;
const USAGE = 'usage: node bench/overhead/run.mjs [--rounds R] [--batch B] [--concurrency C] [--warmup W]';

function options() {
  return integerOptions({ rounds: [5, 1], batch: [20, 1], concurrency: [10, 1], warmup: [1, 0] }, USAGE);
}

/** Runs `batch` whole runs of one side, `concurrency` in flight; resolves to their ids, wall time and run times. */
async function runBatch(bench, side, label, opts) {
  const ids = Array.from({ length: opts.batch }, (_, i) => `${label}-${side}-${String(i).padStart(3, '0')}`);
  const runMs = [];
  let next = 0;
  const runner = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const begin = performance.now();
      await wholeRun(bench, side, ids[i]);
      runMs.push(performance.now() - begin);
      bench.noop.forget(ids[i]);
    }
  };
  const begin = performance.now();
  const cpuBefore = { process: process.cpuUsage(), server: bench.serverCpuMs() };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.batch) }, runner));
  const wallS = (performance.now() - begin) / 1000;
  return { ids, wallS, runsPerS: opts.batch / wallS, runMs, cpuMsPerRun: cpuPerRun(bench, cpuBefore, opts.batch) };
}

/**
 * The CPU time one run of a batch cost, in ms: this process (the client, both workers and their workflow threads;
 * the other side is idle meanwhile) and the dev server (null where the system does not say).
 */
function cpuPerRun(bench, before, runs) {
  const used = process.cpuUsage(before.process);
  const serverAfter = bench.serverCpuMs();
  return {
    process: (used.user + used.system) / 1000 / runs,
    server: before.server === null || serverAfter === null ? null : (serverAfter - before.server) / runs,
  };
}

/** Warm-up rounds, then timed rounds; each round runs every side, the first side rotating (ABC, BCA, CAB…). */
async function measure(bench, opts) {
  const timed = Object.fromEntries(SIDES.map((side) => [side, []]));
  const total = opts.warmup + opts.rounds;
  for (let round = 0; round < total; round++) {
    const warm = round < opts.warmup;
    for (const side of orderOf(round)) {
      const label = warm ? `warmup${round}` : `round${round - opts.warmup}`;
      const batch = await runBatch(bench, side, label, opts);
      const what = warm ? `warm-up ${round + 1}/${opts.warmup}` : `round ${round - opts.warmup + 1}/${opts.rounds}`;
      log(
        `${what} ${side.padEnd(7)}: ${opts.batch} runs in ${batch.wallS.toFixed(2)} s = ${batch.runsPerS.toFixed(2)} runs/s`,
      );
      if (!warm) timed[side].push(batch);
    }
  }
  return timed;
}

async function main(cleanups) {
  const opts = options();
  const bench = await startBench({ log, cleanups, name: 'overhead' });
  log(
    `${opts.warmup} warm-up and ${opts.rounds} timed rounds of ${opts.batch} runs a side, ${opts.concurrency} in flight`,
  );
  const timed = await measure(bench, opts);
  log('reading the timed runs’ histories, and replaying them to time the workflow code alone');
  const latencies = {};
  const replayMs = {};
  const historyBytes = {};
  for (const side of SIDES) {
    const histories = await fetchHistories(
      bench.temporal,
      timed[side].flatMap((b) => b.ids),
    );
    latencies[side] = histories.flatMap((h) => activityLatencies(h.history));
    replayMs[side] = await replayMsPerRun(bench.bundles[side === 'slipway' ? 'slipway' : 'raw'], histories);
    historyBytes[side] = median(histories.map((h) => historySize(h.history)));
  }
  const line = result(opts, timed, { latencies, replayMs, historyBytes });
  summarize(line, latencies);
  console.log(JSON.stringify(line));
}

function result(opts, timed, { latencies, replayMs, historyBytes }) {
  const perSide = (fn) => Object.fromEntries(SIDES.map((side) => [side, fn(side)]));
  const throughput = perSide((side) => spread(timed[side].map((b) => b.runsPerS)));
  const dispatch = perSide((side) => spread(latencies[side].map((l) => l.dispatchMs)));
  const scheduleToStart = perSide((side) => spread(latencies[side].map((l) => l.scheduleToStartMs)));
  const runMs = perSide((side) => spread(timed[side].flatMap((b) => b.runMs)));
  const runsPerS = perSide((side) => median(timed[side].map((b) => b.runsPerS)));
  return {
    bench: 'overhead',
    runs: opts.rounds * opts.batch,
    slipway_runs_per_s: round(runsPerS.slipway),
    raw_runs_per_s: round(runsPerS.raw),
    records_runs_per_s: round(runsPerS.records),
    ratio: round(runsPerS.slipway / runsPerS.raw, 3),
    records_ratio: round(runsPerS.records / runsPerS.raw, 3),
    spread: perSide((side) =>
      rounded({
        min: throughput[side].min,
        p25: throughput[side].p25,
        p75: throughput[side].p75,
        max: throughput[side].max,
      }),
    ),
    paired_ratio: pairedRatio(timed, 'slipway', 'raw'),
    records_paired_ratio: pairedRatio(timed, 'records', 'raw'),
    slipway_over_records_paired_ratio: pairedRatio(timed, 'slipway', 'records'),
    dispatch_p50_ms: perSide((side) => round(dispatch[side].p50, 1)),
    dispatch_p99_ms: perSide((side) => round(dispatch[side].p99, 1)),
    schedule_to_start_p50_ms: perSide((side) => round(scheduleToStart[side].p50, 1)),
    run_p50_ms: perSide((side) => round(runMs[side].p50, 1)),
    replay_ms_per_run: perSide((side) => round(replayMs[side], 1)),
    cpu_ms_per_run: perSide((side) => medianCpu(timed[side])),
    history_bytes_per_run: historyBytes,
    activities_per_run: perSide((side) => latencies[side].length / (opts.rounds * opts.batch)),
    rounds: opts.rounds,
    batch: opts.batch,
    concurrency: opts.concurrency,
  };
}

/**
 * Side `a`'s batch over side `b`'s of the same round, round by round (they run one after the other, so a change in
 * the machine's speed falls on both): median, min and max. Steadier than `ratio` where the machine's speed drifts
 * between rounds.
 */
function pairedRatio(timed, a, b) {
  const ratios = timed[a].map((batch, i) => batch.runsPerS / timed[b][i].runsPerS);
  const s = spread(ratios);
  return rounded({ median: median(ratios), min: s.min, max: s.max }, 3);
}

/** The median over batches of the CPU one run cost (ms): this process and the dev server. */
function medianCpu(batches) {
  const of = (key) => {
    const values = batches.map((b) => b.cpuMsPerRun[key]);
    return values.includes(null) ? null : round(median(values), 1);
  };
  return { process: of('process'), server: of('server') };
}

/** Per step: the median dispatch latency of each side, so a slow step stands out. */
function perStep(latencies) {
  const names = [...new Set(latencies.slipway.map((l) => l.name))];
  return names.map((name) => ({
    name,
    ...Object.fromEntries(
      SIDES.map((side) => [side, spread(latencies[side].filter((l) => l.name === name).map((l) => l.dispatchMs)).p50]),
    ),
  }));
}

/** The size of a history as the server stores it (bytes of its encoded events). */
function historySize(history) {
  return temporal.api.history.v1.History.encode(history).finish().length;
}

/** How each side is named in the summary. */
const LABELS = { slipway: 'Slipway', raw: 'baseline', records: 'baseline + records' };

function summarize(line, latencies) {
  const label = (side) => LABELS[side].padEnd(18);
  const ratio = (name, r) => `${name}: median ${r.median} (min ${r.min}, max ${r.max})`;
  log('');
  log(`throughput, median of ${line.rounds} batches of ${line.batch} (${line.concurrency} in flight):`);
  for (const side of SIDES) {
    const s = line.spread[side];
    log(`  ${label(side)} ${line[`${side}_runs_per_s`]} runs/s (min ${s.min}, IQR ${s.p25}–${s.p75}, max ${s.max})`);
  }
  const verdict = line.ratio >= TARGET_RATIO ? 'meets' : 'MISSES';
  log(`  ratio ${line.ratio}: ${verdict} the ≥ ${TARGET_RATIO} target`);
  log('  round by round:');
  log(`    ${ratio('Slipway / baseline', line.paired_ratio)}`);
  log(`    ${ratio("what Slipway's records cost: baseline + records / baseline", line.records_paired_ratio)}`);
  log(
    `    ${ratio("what Slipway's code costs: Slipway / baseline + records", line.slipway_over_records_paired_ratio)}`,
  );
  log('step dispatch latency (workflow task scheduled → activity started), p50 / p99 ms:');
  for (const side of SIDES) log(`  ${label(side)} ${line.dispatch_p50_ms[side]} / ${line.dispatch_p99_ms[side]}`);
  log(
    'per run: workflow code alone (replaying the histories); CPU (this process: client, workers; the dev server); history:',
  );
  for (const side of SIDES) {
    const cpu = line.cpu_ms_per_run[side];
    log(
      `  ${label(side)} ${line.replay_ms_per_run[side]} ms; ${cpu.process} + ${cpu.server ?? '?'} ms; ${line.history_bytes_per_run[side]} bytes`,
    );
  }
  log(`median dispatch per step (ms), ${SIDES.map((side) => LABELS[side]).join(' / ')}:`);
  for (const step of perStep(latencies)) {
    log(`  ${step.name.padEnd(26)} ${SIDES.map((side) => step[side]?.toFixed(1)).join(' / ')}`);
  }
}

await runBench(log, main);
