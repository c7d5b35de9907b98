/** Test helpers: temp directories with small CSV files, and failure inspection. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MockActivityEnvironment } from '@temporalio/testing';

/** A temp directory that writes CSV files and returns their `file://` URIs. */
export interface CsvDir {
  readonly dir: string;
  /** Writes `content` (string or bytes) to `name` and returns its path and `file://` URI. */
  write(name: string, content: string | Uint8Array): Promise<{ path: string; uri: string }>;
  /** The path and URI of a file name in the directory (not necessarily existing). */
  file(name: string): { path: string; uri: string };
  remove(): Promise<void>;
}

/** Creates a fresh temp directory for CSV fixtures. */
export async function createCsvDir(prefix = 'slipway-data-'): Promise<CsvDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const file = (name: string) => {
    const path = join(dir, name);
    return { path, uri: pathToFileURL(path).href };
  };
  return {
    dir,
    file,
    async write(name, content) {
      const target = file(name);
      await writeFile(target.path, content);
      return target;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Lines joined with `\n` and a trailing newline. */
export function csv(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Awaits a promise that must reject and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { type?: string; details?: unknown[] }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { type?: string; details?: unknown[] };
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * Runs an activity function in a `MockActivityEnvironment`, keeping its result type (the environment's own
 * `run` infers `unknown`).
 */
export function runActivity<P extends unknown[], R>(
  env: MockActivityEnvironment,
  fn: (...args: P) => Promise<R>,
  ...args: P
): Promise<R> {
  return env.run<P, R, (...args: P) => Promise<R>>(fn, ...args);
}

/** Collects every event of an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
