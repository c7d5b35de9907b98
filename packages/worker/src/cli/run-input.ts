import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Reads a run's input JSON. A dataset `uri` without a scheme (e.g. `"data/churn.csv"`) is taken relative to
 * the input file and turned into a `file://` URI, so input files can live next to their data.
 */
export function readRunInput(file: string): unknown {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the input file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return resolveDatasetPaths(input, dirname(path));
}

/** Rewrites relative dataset paths in `input.dataset.uri` to absolute `file://` URIs. */
export function resolveDatasetPaths(input: unknown, baseDir: string): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const dataset = (input as { dataset?: { uri?: unknown } }).dataset;
  if (!dataset || typeof dataset.uri !== 'string' || /^[a-z][a-z0-9+.-]*:\/\//i.test(dataset.uri)) return input;
  return { ...input, dataset: { ...dataset, uri: pathToFileURL(resolve(baseDir, dataset.uri)).href } };
}
