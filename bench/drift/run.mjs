#!/usr/bin/env node
// bench/drift: Slipway's drift statistics (the training profile, then the monitor step's check of a serving window
// against it: PSI, KS, chi-square, Jensen–Shannon) against the same statistics in numpy/scipy, each in its own
// child process on the same data file. The values must agree (see bench/README.md for the tolerances) or the run
// fails loudly. Ends with one JSON line.
//
//   npm run bench:drift                         1,000,000 rows × 10 features, Slipway and scipy
//   npm run bench:drift -- --rows 200000        a smaller file
//   npm run bench:drift -- --scale              3,000,000 rows × 100 features through Slipway only, streamed
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePythonEnv } from '@slipway/worker/python';
import { featureSpecs, ensureDataFile } from './generate.mjs';

const HERE = import.meta.dirname;
const REPO_ROOT = resolve(HERE, '..', '..');
/** What the baseline needs; the project's Python environment already pins these (nothing is installed then). */
const PYTHON_REQUIREMENTS = ['numpy==2.4.6', 'scipy==1.17.1'];

const USAGE = `usage: node bench/drift/run.mjs [--rows N] [--features F] [--seed S] [--data-dir DIR]
       node bench/drift/run.mjs --scale [--rows N] [--features F] [--chunk C] [--seed S]`;

function options() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      features: { type: 'string' },
      seed: { type: 'string', default: '42' },
      chunk: { type: 'string', default: '65536' },
      scale: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: join(REPO_ROOT, '.slipway', 'bench') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name, text) => {
    const n = Number(text.replaceAll('_', ''));
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`--${name} must be a positive integer\n${USAGE}`);
    return n;
  };
  const rows = positive('rows', values.rows ?? (values.scale ? '3000000' : '1000000'));
  if (rows < 2000) throw new Error(`--rows must be at least 2000 (two halves of 1000), got ${rows}`);
  return {
    scale: values.scale,
    rows,
    features: positive('features', values.features ?? (values.scale ? '100' : '10')),
    seed: positive('seed', values.seed),
    chunk: positive('chunk', values.chunk),
    dataDir: resolve(values['data-dir']),
  };
}

function log(message) {
  process.stderr.write(`[bench:drift] ${message}\n`);
}

/** Runs a child to completion (its stderr passes through as progress); resolves to the JSON of its last line. */
function runChild(label, command, args) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => {
      err.push(chunk);
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8').trim();
      const last = stdout.split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const stderr = Buffer.concat(err).toString('utf8').trim();
        return reject(new Error(`${label} ${how}:\n${[stdout, stderr].filter(Boolean).join('\n').slice(-4000)}`));
      }
      resolveRun(JSON.parse(last));
    });
  });
}

/** Every feature drifts as generated: drifted (PSI above the threshold) exactly where the generator shifted it. */
function checkVerdicts(features, specs) {
  const wrong = features.filter((f, k) => f.drifted !== specs[k].drifts);
  if (wrong.length > 0) {
    const list = wrong.map((f) => `${f.name} (PSI ${f.psi.toFixed(4)}, drifted: ${f.drifted})`).join(', ');
    throw new Error(`Slipway's verdicts do not match the drift the generator injected: ${list}`);
  }
}

/** `|a − b| ≤ abs + rel·max(|a|, |b|)`. */
const close = (a, b, abs, rel) => Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));

/** Both p-values tiny, or both clearly not: the same verdict at any level between 1e-6 and 1e-3. */
const sameVerdict = (a, b) => (a < 1e-6 && b < 1e-6) || (a >= 1e-3 && b >= 1e-3);

/** The tolerances, per statistic (documented in bench/README.md). */
function disagreements(slipway, scipy) {
  const problems = [];
  slipway.forEach((s, k) => {
    const p = scipy[k];
    const bad = (what, a, b) => problems.push(`${s.name}: ${what} Slipway ${a} vs scipy ${b}`);
    if (!close(s.psi, p.psi, 1e-3, 0.02)) bad('PSI', s.psi, p.psi);
    if (s.kind === 'numeric') {
      if (!close(s.ks.statistic, p.ks.statistic, 1e-2, 0)) bad('KS statistic', s.ks.statistic, p.ks.statistic);
      if (!sameVerdict(s.ks.pValue, p.ks.pValue)) bad('KS p-value', s.ks.pValue, p.ks.pValue);
      return;
    }
    const c = s.chiSquare;
    if (c.dof !== p.chiSquare.dof) bad('chi-square dof', c.dof, p.chiSquare.dof);
    if (!close(c.statistic, p.chiSquare.statistic, 1e-9, 1e-9)) bad('chi-square', c.statistic, p.chiSquare.statistic);
    if (!close(c.pValue, p.chiSquare.pValue, 1e-12, 1e-6)) bad('chi-square p-value', c.pValue, p.chiSquare.pValue);
    if (!close(s.jsDistance, p.jsDistance, 1e-9, 0)) bad('Jensen–Shannon', s.jsDistance, p.jsDistance);
  });
  return problems;
}

/** The largest |Slipway − scipy| of each statistic over the features, for the log. */
function largestDifferences(slipway, scipy) {
  const stats = {
    PSI: (f) => f.psi,
    'KS D': (f) => f.ks?.statistic,
    'chi-square (relative)': (f) => f.chiSquare?.statistic,
    'chi-square p': (f) => f.chiSquare?.pValue,
    JS: (f) => f.jsDistance,
  };
  return Object.entries(stats)
    .map(([name, get]) => {
      let worst = 0;
      slipway.features.forEach((f, k) => {
        const a = get(f);
        const b = get(scipy.features[k]);
        if (a === undefined || b === undefined) return;
        const diff = Math.abs(a - b) / (name.includes('relative') ? Math.max(Math.abs(a), Math.abs(b), 1e-300) : 1);
        worst = Math.max(worst, diff);
      });
      return `${name} ${worst.toExponential(1)}`;
    })
    .join(', ');
}

async function compare(opts) {
  await mkdir(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, `drift-${opts.rows}x${opts.features}-seed${opts.seed}.bin`);
  const meta = await ensureDataFile(file, opts, log);
  const python = await ensurePythonEnv({
    dir: join(REPO_ROOT, '.slipway', 'tools', 'py'),
    requirements: PYTHON_REQUIREMENTS,
    onProgress: log,
  });
  log(`Slipway: training profile of ${opts.rows / 2} rows, then the drift check of ${opts.rows / 2} served rows …`);
  const slipway = await runChild('the Slipway child', process.execPath, [
    join(HERE, 'slipway-child.mjs'),
    JSON.stringify({ mode: 'compare', file }),
  ]);
  checkVerdicts(slipway.features, meta.columns);
  log('numpy/scipy: the same statistics on the same buckets …');
  const scipy = await runChild('the scipy child', python, [
    join(HERE, 'scipy_child.py'),
    JSON.stringify({ file, features: slipway.features }),
  ]);
  const problems = disagreements(slipway.features, scipy.features);
  if (problems.length > 0) throw new Error(`Slipway and scipy disagree:\n  ${problems.join('\n  ')}`);
  log(
    `values agree on all ${slipway.features.length} features; largest differences: ${largestDifferences(slipway, scipy)}`,
  );
  log(
    `Slipway ${slipway.seconds.toFixed(3)} s (profile ${slipway.profile_s.toFixed(3)} s + check ${slipway.check_s.toFixed(3)} s), ` +
      `${slipway.peak_rss_mb.toFixed(0)} MB peak RSS; numpy/scipy ${scipy.seconds.toFixed(3)} s, ${scipy.peak_rss_mb.toFixed(0)} MB`,
  );
  const round = (x, digits = 3) => Number(x.toFixed(digits));
  return {
    bench: 'drift',
    rows: opts.rows,
    features: opts.features,
    slipway_s: round(slipway.seconds),
    scipy_s: round(scipy.seconds),
    ratio: round(scipy.seconds / slipway.seconds, 2),
    slipway_profile_s: round(slipway.profile_s),
    slipway_check_s: round(slipway.check_s),
    slipway_peak_rss_mb: round(slipway.peak_rss_mb, 0),
    scipy_peak_rss_mb: round(scipy.peak_rss_mb, 0),
  };
}

async function scale(opts) {
  log(`Slipway only: ${opts.rows.toLocaleString('en')} rows × ${opts.features} features, in chunks of ${opts.chunk} …`);
  const result = await runChild('the Slipway child', process.execPath, [
    join(HERE, 'slipway-child.mjs'),
    JSON.stringify({ mode: 'scale', seed: opts.seed, rows: opts.rows, features: opts.features, chunk: opts.chunk }),
  ]);
  checkVerdicts(result.features, featureSpecs(opts.features));
  const values = opts.rows * opts.features;
  return {
    bench: 'drift-scale',
    rows: opts.rows,
    features: opts.features,
    slipway_s: Number(result.seconds.toFixed(3)),
    values_per_s: Math.round(values / result.seconds),
    peak_rss_mb: Math.round(result.peak_rss_mb),
    wall_s: Number(result.wall_s.toFixed(3)),
  };
}

try {
  const opts = options();
  const line = opts.scale ? await scale(opts) : await compare(opts);
  console.log(JSON.stringify(line));
} catch (error) {
  log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
