#!/usr/bin/env node
// bench/approve: from the gate decision to the next step started. Slipway's built-in `trainAndPromote` (no-op steps)
// waits at its gate; `SlipwayClient.approve` reads the gate, signs the decision and sends it as the gate's Update;
// the Update's handler verifies the signature, closes the gate, and the run goes on. The baseline
// (`../overhead/raw-workflow.mjs`) waits on a plain Update and then calls the same next activities; the baseline
// with Slipway's records also sets the gate's search attribute and memo as its Update closes the gate, as Slipway's
// gate does, so the gap splits into what those records cost and what Slipway's code costs. One decision at a time,
// the side that goes first rotating, every run's gate open and idle before its decision. Latency is read on
// this process's clock: from the moment the Update is sent (a client interceptor) to the moment the next activity
// starts (the no-op activity notes it). Ends with one JSON line (see bench/README.md).
//
//   npm run bench:approve                       120 decisions a side
//   npm run bench:approve -- --decisions 40     quicker, noisier
import { setTimeout as sleep } from 'node:timers/promises';
import { decide, finish, orderOf, SIDES, startRun, untilGateOpens } from '../overhead/runs.mjs';
import { integerOptions, logger, runBench, startBench } from '../overhead/setup.mjs';
import { round, spread } from '../overhead/stats.mjs';

const log = logger('bench:approve');
/** The target: Slipway's decision-to-next-step latency at most this multiple of the baseline's. */
const TARGET_RATIO = 1.2;
const USAGE = 'usage: node bench/approve/run.mjs [--decisions N] [--warmup W] [--settle-ms S]';

function options() {
  return integerOptions({ decisions: [120, 1], warmup: [3, 0], 'settle-ms': [300, 0] }, USAGE);
}

/**
 * One decision on an open, idle gate: resolves to the times (ms) from the decision call and from the Update's send
 * to the first activity the run started after it, and to its deploy step's start.
 */
async function timedDecision(bench, side, id) {
  const called = performance.now();
  await decide(bench, side, id);
  const answered = performance.now();
  await finish(bench, side, id);
  const sent = bench.updateSent.get(id);
  if (sent === undefined) throw new Error(`run ${id}: no Update was sent`);
  const after = bench.noop.startedIn(id).filter((s) => s.at >= sent);
  const next = after[0];
  const deploy = after.find((s) => s.name === 'slipway.deploy');
  if (!next || !deploy) throw new Error(`run ${id}: no activity started after the decision`);
  bench.noop.forget(id);
  bench.updateSent.delete(id);
  return {
    nextMs: next.at - sent,
    deployMs: deploy.at - sent,
    callToNextMs: next.at - called,
    updateMs: answered - sent,
    next: next.name,
  };
}

/** Starts a run of each side, waits until every gate is open and idle, then decides them in `order`. */
async function decideOneOfEach(bench, index, order, settleMs) {
  const ids = Object.fromEntries(SIDES.map((side) => [side, `approve-${String(index).padStart(4, '0')}-${side}`]));
  await Promise.all(SIDES.map((side) => startRun(bench, side, ids[side])));
  await Promise.all(SIDES.map((side) => untilGateOpens(bench, ids[side])));
  const timings = {};
  for (const side of order) {
    await sleep(settleMs);
    timings[side] = await timedDecision(bench, side, ids[side]);
  }
  return timings;
}

async function measure(bench, opts) {
  const samples = Object.fromEntries(SIDES.map((side) => [side, []]));
  const total = opts.warmup + opts.decisions;
  for (let i = 0; i < total; i++) {
    const timings = await decideOneOfEach(bench, i, orderOf(i), opts.settleMs);
    if (i < opts.warmup) continue;
    for (const side of SIDES) samples[side].push(timings[side]);
    const done = i - opts.warmup + 1;
    if (done % 10 === 0 || done === opts.decisions) {
      const p50s = SIDES.map((side) => `${spread(samples[side].map((s) => s.nextMs)).p50.toFixed(1)} ms`);
      log(`${done}/${opts.decisions} decisions a side; medians so far ${p50s.join(' / ')} (${SIDES.join(' / ')})`);
    }
  }
  return samples;
}

async function main(cleanups) {
  const opts = options();
  const bench = await startBench({ log, cleanups, name: 'approve' });
  log(`${opts.warmup} warm-up and ${opts.decisions} timed decisions a side, the side going first rotating`);
  const samples = await measure(bench, opts);
  const of = (field) => Object.fromEntries(SIDES.map((side) => [side, spread(samples[side].map((s) => s[field]))]));
  const next = of('nextMs');
  const deploy = of('deployMs');
  const update = of('updateMs');
  const call = of('callToNextMs');
  const line = {
    bench: 'approve',
    decisions: opts.decisions,
    slipway_p50_ms: round(next.slipway.p50),
    raw_p50_ms: round(next.raw.p50),
    slipway_p99_ms: round(next.slipway.p99),
    raw_p99_ms: round(next.raw.p99),
    records_p50_ms: round(next.records.p50),
    records_p99_ms: round(next.records.p99),
    ratio: round(next.slipway.p50 / next.raw.p50, 3),
    p99_ratio: round(next.slipway.p99 / next.raw.p99, 3),
    records_ratio: round(next.records.p50 / next.raw.p50, 3),
    slipway_over_records_ratio: round(next.slipway.p50 / next.records.p50, 3),
    spread_ms: Object.fromEntries(
      SIDES.map((side) => [
        side,
        {
          min: round(next[side].min),
          p25: round(next[side].p25),
          p75: round(next[side].p75),
          max: round(next[side].max),
        },
      ]),
    ),
    next_step: samples.slipway[0]?.next ?? null,
    deploy_p50_ms: Object.fromEntries(SIDES.map((side) => [side, round(deploy[side].p50)])),
    update_p50_ms: Object.fromEntries(SIDES.map((side) => [side, round(update[side].p50)])),
    slipway_approve_call_p50_ms: round(call.slipway.p50),
  };
  summarize(line);
  console.log(JSON.stringify(line));
}

function summarize(line) {
  log('');
  log(`decision (Update sent) → next step's activity started (${line.next_step}), ${line.decisions} a side:`);
  log(`  Slipway            p50 ${line.slipway_p50_ms} ms, p99 ${line.slipway_p99_ms} ms`);
  log(`  baseline           p50 ${line.raw_p50_ms} ms, p99 ${line.raw_p99_ms} ms`);
  log(`  baseline + records p50 ${line.records_p50_ms} ms, p99 ${line.records_p99_ms} ms`);
  const verdict = line.ratio <= TARGET_RATIO ? 'meets' : 'MISSES';
  log(`  ratio (p50) ${line.ratio}: ${verdict} the ≤ ${TARGET_RATIO}× target (p99 ratio ${line.p99_ratio})`);
  log(`    what Slipway's records cost: baseline + records / baseline ${line.records_ratio}`);
  log(`    what Slipway's code costs: Slipway / baseline + records ${line.slipway_over_records_ratio}`);
  const perSide = (field) => SIDES.map((side) => `${line[field][side]} ms`).join(' / ');
  log(`  to the deploy step (p50): ${perSide('deploy_p50_ms')}`);
  log(`  the Update's round trip (p50): ${perSide('update_p50_ms')}`);
  log(`  SlipwayClient.approve() called → next step started: ${line.slipway_approve_call_p50_ms} ms (p50)`);
}

await runBench(log, main);
