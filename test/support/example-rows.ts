/**
 * Rows of an example's CSV as a client sends them to the model server: numbers as numbers, `true`/`false` as
 * booleans, everything else as strings (a small reader for the examples' own files, which hold no quoted fields).
 */
import { readFile } from 'node:fs/promises';
import type { FeatureRow } from '@slipway/sdk';

/** The first `count` rows of `file`, keeping only `columns` (in that order). */
export async function exampleRows(file: string, columns: readonly string[], count: number): Promise<FeatureRow[]> {
  const [header, ...lines] = (await readFile(file, 'utf8')).trim().split('\n');
  const names = header!.split(',');
  const rows = lines.slice(0, count).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(
      columns.map((column) => {
        const cell = cells[names.indexOf(column)];
        if (cell === undefined) throw new Error(`${file}: no column ${column}`);
        const value =
          cell === 'true' ? true : cell === 'false' ? false : /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
        return [column, value];
      }),
    );
  });
  if (rows.length !== count) throw new Error(`${file} has ${rows.length} rows, not ${count}`);
  return rows;
}
