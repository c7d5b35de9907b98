// The Slipway side of the drift benchmark, in its own process. Argument: a JSON input.
//
// `compare` (`{"mode":"compare","file":…}`): reads the data file, then times, through `@slipway/activities`:
//   1. the training profile of the training half, as the validate step builds it (`createProfiler`, t-digest per
//      numeric column, Space-Saving per categorical one);
//   2. the monitor step's check of the serving half against it (`computeDriftReport`: PSI on the profile's buckets,
//      KS against the profile's t-digest, chi-square and Jensen–Shannon over its categories).
//   The serving rows are built as the objects the monitor step receives before the clock starts.
// `scale` (`{"mode":"scale","seed":…,"rows":…,"features":…,"chunk":…}`): generates rows chunk by chunk and streams
//   them through the same profiler (training half) and, for the serving half, through the same buckets and a
//   t-digest of the same compression (see bench/README.md); only the time spent in Slipway's code is counted.
//
// Prints one JSON object on stdout: timings, peak RSS and each feature's statistics.
import { performance } from 'node:perf_hooks';
import { createProfiler } from '@slipway/activities/data';
import {
  TDigest,
  binNumeric,
  categoricalReferenceCounts,
  centroidCdf,
  chiSquareHomogeneity,
  computeDriftReport,
  countCategorical,
  jensenShannonDistance,
  ksTwoSampleCdf,
  numericReferenceShares,
  psi,
  toShares,
} from '@slipway/activities/monitor';
import { featureSpecs, generateChunk, readDataFile } from './generate.mjs';
import { readFileSync } from 'node:fs';

/** The PSI above which a feature counts as drifted in this benchmark (the monitor step's usual threshold). */
const PSI_THRESHOLD = 0.1;

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
const progress = (message) => process.stderr.write(`  [slipway] ${message}\n`);

function rowSchema(specs) {
  return {
    columns: Object.fromEntries(specs.map((s) => [s.name, { type: s.kind === 'numeric' ? 'number' : 'string' }])),
  };
}

function featureList(specs) {
  return {
    numeric: specs.filter((s) => s.kind === 'numeric').map((s) => s.name),
    categorical: specs.filter((s) => s.kind === 'categorical').map((s) => s.name),
    target: 'label',
  };
}

/** Column `k` of rows [start, end) as the profiler takes it: doubles, or the category strings. */
function columnValues(spec, column, start, end) {
  if (spec.kind === 'numeric') return column.subarray(start, end);
  const values = new Array(end - start);
  for (let i = start; i < end; i++) values[i - start] = spec.levels[column[i]];
  return values;
}

function compare(input) {
  const meta = JSON.parse(readFileSync(`${input.file}.json`, 'utf8'));
  const specs = meta.columns;
  const columns = readDataFile(input.file, meta);
  const half = Math.floor(meta.rows / 2);
  const training = specs.map((spec, k) => columnValues(spec, columns[k], 0, half));
  const good = new Uint8Array(half).fill(1);
  const serving = [];
  for (let i = half; i < meta.rows; i++) {
    const row = {};
    specs.forEach((spec, k) => (row[spec.name] = spec.kind === 'numeric' ? columns[k][i] : spec.levels[columns[k][i]]));
    serving.push(row);
  }

  const t0 = performance.now();
  const profiler = createProfiler(rowSchema(specs));
  profiler.addColumns({ values: training, good, length: half });
  const profile = profiler.finish();
  const t1 = performance.now();
  const report = computeDriftReport({
    model: 'bench',
    version: 1,
    profile,
    profileUri: 'bench://training-profile',
    features: featureList(specs),
    rows: serving,
    threshold: PSI_THRESHOLD,
    minSamples: 1,
  });
  const t2 = performance.now();

  const features = report.features.map((f) => {
    const column = profile.columns[f.feature];
    const base = { name: f.feature, kind: f.kind, psi: f.psi, drifted: f.drifted };
    if (f.kind === 'numeric') return { ...base, cutPoints: column.cutPoints, ks: f.ks };
    const categories = column.topValues.map((v) => v.value);
    return { ...base, categories, chiSquare: f.chiSquare, jsDistance: f.jsDistance };
  });
  return {
    profile_s: (t1 - t0) / 1000,
    check_s: (t2 - t1) / 1000,
    seconds: (t2 - t0) / 1000,
    peak_rss_mb: peakRssMb(),
    features,
  };
}

/** The serving half's running state of one feature: bucket counts, and a t-digest of a numeric one. */
function servingState(column) {
  if (column.kind === 'numeric') {
    return {
      counts: new Array(column.cutPoints.length + 1).fill(0),
      digest: new TDigest({ compression: column.digest.compression }),
    };
  }
  const { categories, counts: reference } = categoricalReferenceCounts(column);
  return { categories, reference, counts: new Array(categories.length + 1).fill(0) };
}

function addServing(state, column, values) {
  const counts =
    column.kind === 'numeric' ? binNumeric(values, column.cutPoints) : countCategorical(values, state.categories);
  for (let b = 0; b < counts.length; b++) state.counts[b] += counts[b];
  if (state.digest) for (let i = 0; i < values.length; i++) state.digest.add(values[i]);
}

function finishServing(name, column, state) {
  if (column.kind === 'numeric') {
    const value = psi(numericReferenceShares(column), toShares(state.counts));
    const ks = ksTwoSampleCdf(centroidCdf(column.digest.centroids, column.min, column.max), state.digest.toCdf());
    return { name, kind: 'numeric', psi: value, drifted: value > PSI_THRESHOLD, ks };
  }
  const value = psi(toShares(state.reference), toShares(state.counts));
  return {
    name,
    kind: 'categorical',
    psi: value,
    drifted: value > PSI_THRESHOLD,
    chiSquare: chiSquareHomogeneity(state.reference, state.counts),
    jsDistance: jensenShannonDistance(state.reference, state.counts),
  };
}

function scale({ seed, rows, features, chunk }) {
  const specs = featureSpecs(features);
  const half = Math.floor(rows / 2);
  const start = performance.now();
  let timed = 0;
  const chunks = function* (from, to) {
    for (let s = from; s < to; s += chunk) {
      const e = Math.min(to, s + chunk);
      const columns = generateChunk(seed, features, rows, s, e);
      yield { s, e, values: specs.map((spec, k) => columnValues(spec, columns[k], 0, e - s)) };
    }
  };
  const profiler = createProfiler(rowSchema(specs));
  for (const { s, e, values } of chunks(0, half)) {
    const t = performance.now();
    profiler.addColumns({ values, good: new Uint8Array(e - s).fill(1), length: e - s });
    timed += performance.now() - t;
    if ((s / chunk) % 8 === 0) progress(`training rows ${e.toLocaleString('en')} / ${half.toLocaleString('en')}`);
  }
  let t = performance.now();
  const profile = profiler.finish();
  const states = specs.map((spec) => servingState(profile.columns[spec.name]));
  timed += performance.now() - t;
  for (const { s, e, values } of chunks(half, rows)) {
    t = performance.now();
    specs.forEach((spec, k) => addServing(states[k], profile.columns[spec.name], values[k]));
    timed += performance.now() - t;
    if (((s - half) / chunk) % 8 === 0) progress(`serving rows ${(e - half).toLocaleString('en')} / ${half}`);
  }
  t = performance.now();
  const result = specs.map((spec, k) => finishServing(spec.name, profile.columns[spec.name], states[k]));
  timed += performance.now() - t;
  return {
    seconds: timed / 1000,
    wall_s: (performance.now() - start) / 1000,
    peak_rss_mb: peakRssMb(),
    features: result,
  };
}

const input = JSON.parse(process.argv[2] ?? '{}');
const output = input.mode === 'scale' ? scale(input) : compare(input);
process.stdout.write(`${JSON.stringify(output)}\n`);
