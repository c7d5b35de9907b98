/**
 * What a fault scenario reports: one row of the suite's table (fault, runs, completed, lost, duplicates, verdict),
 * written to the results directory the runner gives (`SLIPWAY_FAULT_RESULTS`), one JSON file per row.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of the table. */
export interface FaultRow {
  fault: string;
  runs: number;
  completed: number;
  lost: number;
  duplicates: number;
  verdict: 'pass' | 'FAIL';
  /** What went wrong (every lost run and duplicate named), or what the scenario checked. */
  notes: string[];
  seconds: number;
  /** When the row was written (the table lists rows in this order). */
  finishedAt: number;
}

/** The counts a scenario fills in while it runs. */
export interface Tally {
  runs: number;
  completed: number;
  /** Each lost run, named (a run that did not end as expected). */
  lost: string[];
  /** Each duplicate found in the registry, the audit log or the model server, named. */
  duplicates: string[];
  /** Other disagreements (registry vs server, an audit log that does not verify): they fail the row too. */
  problems: string[];
  /** What was checked, for the report. */
  checked: string[];
}

/** Prints one progress line (a run, a fault injected) straight to the terminal. */
export function progress(fault: string, message: string): void {
  process.stdout.write(`  [${fault}] ${message}\n`);
}

/**
 * Runs a scenario with a fresh tally and writes its row, also when the scenario throws (the error becomes a
 * problem, so the row fails). Returns the row; the caller asserts on it so vitest fails as the table does.
 */
export async function recordFault(fault: string, scenario: (tally: Tally) => Promise<void>): Promise<FaultRow> {
  const tally: Tally = { runs: 0, completed: 0, lost: [], duplicates: [], problems: [], checked: [] };
  const started = Date.now();
  try {
    await scenario(tally);
  } catch (err) {
    tally.problems.push(`scenario error: ${err instanceof Error ? err.message : String(err)}`);
  }
  const ok = tally.lost.length === 0 && tally.duplicates.length === 0 && tally.problems.length === 0;
  const row: FaultRow = {
    fault,
    runs: tally.runs,
    completed: tally.completed,
    lost: tally.lost.length,
    duplicates: tally.duplicates.length,
    verdict: ok && tally.completed === tally.runs && tally.runs > 0 ? 'pass' : 'FAIL',
    notes: [...tally.lost, ...tally.duplicates, ...tally.problems, ...(ok ? tally.checked : [])],
    seconds: Math.round((Date.now() - started) / 1000),
    finishedAt: Date.now(),
  };
  const dir = process.env['SLIPWAY_FAULT_RESULTS'];
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${fault.replace(/[^a-z0-9]+/gi, '-')}.json`), JSON.stringify(row));
  }
  progress(
    fault,
    `${row.verdict}: ${row.completed}/${row.runs} completed, ${row.lost} lost, ${row.duplicates} duplicates`,
  );
  return row;
}
