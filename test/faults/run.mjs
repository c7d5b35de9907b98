#!/usr/bin/env node
/**
 * `npm run faults [-- --seed <n>] [-- <scenario filter>...]`: runs the fault scenarios (test/faults/*.fault.ts, a
 * vitest project of their own that `npm test` never picks up) one after another, then prints the summary table.
 * Every random point comes from the printed seed: pass it back with `--seed` to repeat a run's choices.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const { seed, filters } = parseArgs(process.argv.slice(2));
const results = mkdtempSync(join(tmpdir(), 'slipway-faults-'));
console.log(`fault suite, seed ${seed} (repeat with: npm run faults -- --seed ${seed})`);
const started = Date.now();
const vitest = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'test/faults/vitest.config.ts', ...filters],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SLIPWAY_FAULT_SEED: String(seed), SLIPWAY_FAULT_RESULTS: results },
  },
);
const rows = readdirSync(results)
  .map((f) => JSON.parse(readFileSync(join(results, f), 'utf8')))
  .sort((a, b) => a.finishedAt - b.finishedAt);
rmSync(results, { recursive: true, force: true });
printTable(rows);
const seconds = Math.round((Date.now() - started) / 1000);
const failed = rows.filter((r) => r.verdict !== 'pass').length;
console.log(`\n${rows.length} faults, ${failed} failed, seed ${seed}, ${seconds} s`);
process.exit(vitest.status === 0 && failed === 0 && rows.length > 0 ? 0 : 1);

function parseArgs(args) {
  let seed = Math.floor(Math.random() * 2 ** 31);
  const filters = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seed') {
      seed = Number(args[++i]);
      if (!Number.isSafeInteger(seed)) throw new Error(`--seed needs an integer, got "${args[i]}"`);
    } else filters.push(args[i]);
  }
  return { seed, filters };
}

function printTable(rows) {
  const header = ['fault', 'runs', 'completed', 'lost', 'duplicates', 'verdict', 'time'];
  const cells = rows.map((r) => [r.fault, r.runs, r.completed, r.lost, r.duplicates, r.verdict, `${r.seconds} s`]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((v, i) => String(v)[i === 0 ? 'padEnd' : 'padStart'](widths[i])).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c));
  for (const r of rows) for (const note of r.notes) console.log(`  ${r.fault}: ${note}`);
}
