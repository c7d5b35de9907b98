#!/usr/bin/env node
// bench/validate: Slipway's validate activity against pandas + pandera running the same checks, and a raw
// read of the same file, each in its own child process (wall time and peak RSS measured inside the child).
// Both validators must find the failures that were injected into the generated data; the run fails loudly
// when they disagree. Ends with one JSON line (see bench/README.md).
//
//   npm run bench:validate                      1,000,000 rows × 20 columns
//   npm run bench:validate -- --rows 200000     a smaller file
//   npm run bench:validate -- --repeat 3        best of 3 runs of each validator
//   npm run bench:validate -- --large           ~5 GB through Slipway only: peak RSS against the 300 MB claim
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCsv, mib } from './generate.mjs';
import { ensureBenchPython } from './python-env.mjs';
import { checksForPython } from './spec.mjs';

const HERE = import.meta.dirname;
const REPO_ROOT = resolve(HERE, '..', '..');
const MB = 2 ** 20;
/** The memory Slipway promises for validating a 5 GB CSV. */
const LARGE_RSS_LIMIT_MB = 300;

const USAGE = `usage: node bench/validate/run.mjs [--rows N] [--seed S] [--repeat N] [--data-dir DIR]
       node bench/validate/run.mjs --large [--large-gb G] [--seed S] [--data-dir DIR]`;

function options() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      repeat: { type: 'string', default: '1' },
      large: { type: 'boolean', default: false },
      'large-gb': { type: 'string', default: '5' },
      'data-dir': { type: 'string', default: join(REPO_ROOT, '.slipway', 'bench') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name, text, integer = true) => {
    const n = Number(text.replaceAll('_', ''));
    if (!(n > 0) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a positive number\n${USAGE}`);
    return n;
  };
  return {
    rows: positive('rows', values.rows),
    seed: positive('seed', values.seed),
    repeat: positive('repeat', values.repeat),
    large: values.large,
    largeBytes: Math.round(positive('large-gb', values['large-gb'], false) * 2 ** 30),
    dataDir: resolve(values['data-dir']),
  };
}

function log(message) {
  process.stderr.write(`[bench:validate] ${message}\n`);
}

/** Runs a child to completion; resolves to the JSON of its last stdout line plus its process wall time. */
function runChild(label, command, args, stdin = '') {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8').trim();
      const stderr = Buffer.concat(err).toString('utf8').trim();
      const last = stdout.split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        return reject(new Error(`${label} ${how}:\n${[stdout, stderr].filter(Boolean).join('\n').slice(-4000)}`));
      }
      resolveRun({ ...JSON.parse(last), processSeconds: (performance.now() - started) / 1000 });
    });
    child.stdin.end(stdin);
  });
}

async function runSlipway(csv, rows) {
  const artifactsDir = await mkdtemp(join(tmpdir(), 'slipway-bench-'));
  try {
    const input = join(artifactsDir, 'input.json');
    await writeFile(input, JSON.stringify({ csv, rows, artifactsDir: join(artifactsDir, 'artifacts') }));
    return await runChild('the Slipway child', process.execPath, [join(HERE, 'slipway-child.mjs'), input]);
  } finally {
    await rm(artifactsDir, { recursive: true, force: true });
  }
}

function runPandera(python, csv, rows) {
  const checks = JSON.stringify(checksForPython(rows));
  return runChild('the pandera child', python, [join(HERE, 'pandera_child.py'), csv], checks);
}

function runRawRead(csv) {
  return runChild('the raw read child', process.execPath, [join(HERE, 'raw-read-child.mjs'), csv]);
}

/** The fastest of several runs, with the highest peak RSS of them all. */
function best(runs) {
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)) };
}

function nonZero(counts) {
  return Object.fromEntries(Object.entries(counts ?? {}).filter(([, n]) => n !== 0));
}

/** The counts both validators report, next to what was injected; `agree` is false on any difference. */
function compareCounts(truth, slipway, pandera) {
  const lines = [
    ['rows', truth.rows, slipway.rows, pandera?.rows],
    ['failing rows (schema checks)', truth.badRows, slipway.badRows, pandera?.badRows],
    ['duplicate ids (unique check)', truth.duplicates, slipway.duplicates, pandera?.duplicates],
    ['row-count check passed', true, slipway.rowCountPassed, pandera?.rowCountPassed],
  ];
  const injected = nonZero(truth.failingCells);
  const found = [nonZero(slipway.failingCells), nonZero(pandera?.failingCells)];
  const columns = [...new Set([...Object.keys(injected), ...found.flatMap((f) => Object.keys(f))])];
  for (const column of columns) {
    lines.push([`  failing cells in ${column}`, injected[column] ?? 0, found[0][column] ?? 0, found[1][column] ?? 0]);
  }
  if (slipway.raggedRows !== 0) lines.push(['unparsable rows', 0, slipway.raggedRows, undefined]);
  const extra = pandera?.unindexedFailures ?? [];
  if (extra.length > 0) lines.push(['column-level pandera failures', 0, undefined, extra.length]);
  const agree = lines.every(([, t, s, p]) => s === t && (pandera === undefined || p === t));
  return { lines, agree, extra };
}

function printCounts({ lines }, withPandera) {
  const show = (v) => (v === undefined ? '-' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
  const head = ['', 'injected', 'slipway', ...(withPandera ? ['pandera'] : [])];
  const rows = lines.map(([label, ...values]) => [label, ...values.slice(0, withPandera ? 3 : 2).map(show)]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i].length)));
  for (const row of [head, ...rows]) {
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   '));
  }
}

function fail(message) {
  process.stderr.write(`\n*** bench:validate FAILED: ${message}\n`);
  process.exit(1);
}

const rate = (n, seconds) => Math.round(n / seconds);
const round1 = (x) => Math.round(x * 10) / 10;

async function standard(opts) {
  const csv = join(opts.dataDir, `validate-seed${opts.seed}-${opts.rows}.csv`);
  const [truth, python] = await Promise.all([
    ensureCsv(csv, { seed: opts.seed, rows: opts.rows }, log),
    ensureBenchPython(REPO_ROOT, log),
  ]);
  log('raw read …');
  const raw = await runRawRead(csv);
  const slipwayRuns = [];
  const panderaRuns = [];
  for (let i = 1; i <= opts.repeat; i++) {
    const round = opts.repeat > 1 ? ` (run ${i} of ${opts.repeat})` : '';
    log(`Slipway …${round}`);
    slipwayRuns.push(await runSlipway(csv, truth.rows));
    log(`pandas + pandera …${round}`);
    panderaRuns.push(await runPandera(python, csv, truth.rows));
  }
  const slipway = best(slipwayRuns);
  const pandera = best(panderaRuns);
  const counts = compareCounts(truth, slipway, pandera);
  console.log(
    `\nvalidate: ${truth.rows.toLocaleString('en-US')} rows × 20 columns, ${mib(truth.bytes)} MB, seed ${opts.seed}`,
  );
  console.log(
    `pandas ${pandera.versions.pandas}, pandera ${pandera.versions.pandera}, node ${process.versions.node}\n`,
  );
  printCounts(counts, true);
  if (!counts.agree) {
    const extra = counts.extra.length > 0 ? `\ncolumn-level pandera failures:\n  ${counts.extra.join('\n  ')}` : '';
    fail(`the validators disagree on the failures (with each other or with what was injected)${extra}`);
  }
  const slipwayRate = rate(truth.rows, slipway.seconds);
  const panderaRate = rate(truth.rows, pandera.seconds);
  const rawMbPerS = round1(raw.bytes / MB / raw.seconds);
  const line = (name, r, extra) =>
    console.log(
      `${name.padEnd(16)} ${r.seconds.toFixed(2).padStart(7)} s  ${rate(truth.rows, r.seconds).toLocaleString('en-US').padStart(10)} rows/s` +
        `  ${(truth.bytes / MB / r.seconds).toFixed(1).padStart(7)} MB/s  peak RSS ${(r.peakRssBytes / MB).toFixed(1).padStart(7)} MB${extra}`,
    );
  console.log('');
  line('raw read', raw, '');
  line('slipway', slipway, `  (process ${slipway.processSeconds.toFixed(2)} s)`);
  line(
    'pandas + pandera',
    pandera,
    `  (read_csv ${pandera.readSeconds.toFixed(2)} s, process ${pandera.processSeconds.toFixed(2)} s)`,
  );
  const ratio = Math.round((slipwayRate / panderaRate) * 1000) / 1000;
  const memory = pandera.peakRssBytes / slipway.peakRssBytes;
  console.log(`\nslipway / pandera: ${ratio}× the rows/s, ${(1 / memory).toFixed(2)}× the peak memory\n`);
  const result = {
    bench: 'validate',
    rows: truth.rows,
    slipway_rows_per_s: slipwayRate,
    pandera_rows_per_s: panderaRate,
    ratio,
    slipway_peak_rss_mb: round1(slipway.peakRssBytes / MB),
    pandera_peak_rss_mb: round1(pandera.peakRssBytes / MB),
    raw_read_mb_per_s: rawMbPerS,
  };
  console.log(JSON.stringify(result));
}

async function large(opts) {
  const gb = (opts.largeBytes / 2 ** 30).toString();
  const csv = join(opts.dataDir, `validate-seed${opts.seed}-${gb}gb.csv`);
  const truth = await ensureCsv(csv, { seed: opts.seed, targetBytes: opts.largeBytes }, log);
  log('raw read …');
  const raw = await runRawRead(csv);
  log(`Slipway (${mib(truth.bytes)} MB) …`);
  const slipway = await runSlipway(csv, truth.rows);
  const counts = compareCounts(truth, slipway, undefined);
  console.log(
    `\nvalidate --large: ${truth.rows.toLocaleString('en-US')} rows × 20 columns, ${mib(truth.bytes)} MB, seed ${opts.seed}\n`,
  );
  printCounts(counts, false);
  if (!counts.agree) fail('Slipway did not find exactly the injected failures');
  const peakMb = round1(slipway.peakRssBytes / MB);
  console.log(
    `\nraw read  ${round1(raw.bytes / MB / raw.seconds)} MB/s` +
      `\nslipway   ${slipway.seconds.toFixed(1)} s, ${rate(truth.rows, slipway.seconds).toLocaleString('en-US')} rows/s, ` +
      `${round1(truth.bytes / MB / slipway.seconds)} MB/s, peak RSS ${peakMb} MB (limit ${LARGE_RSS_LIMIT_MB} MB)\n`,
  );
  console.log(
    JSON.stringify({
      bench: 'validate-large',
      rows: truth.rows,
      bytes: truth.bytes,
      slipway_rows_per_s: rate(truth.rows, slipway.seconds),
      slipway_peak_rss_mb: peakMb,
      raw_read_mb_per_s: round1(raw.bytes / MB / raw.seconds),
    }),
  );
  if (peakMb >= LARGE_RSS_LIMIT_MB) fail(`peak RSS ${peakMb} MB is not under ${LARGE_RSS_LIMIT_MB} MB`);
}

try {
  const opts = options();
  await (opts.large ? large(opts) : standard(opts));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
