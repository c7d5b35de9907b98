/**
 * The log of served features, one JSON line per scored row: `<home>/serving/<model>/v<version>.jsonl`.
 * The monitor reads it back (newest rows, oldest first) to compare serving traffic with the training profile.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ServedRow, type FeatureRow } from '@slipway/sdk';

/** One scored row as the log records it: the features the request sent, and those the model imputed. */
export interface ServedEntry {
  features: FeatureRow;
  /** The features the model filled in; absent or empty when none. */
  imputed?: readonly string[];
}

/** Appends and reads served-row logs under one serving directory. */
export interface ServedLog {
  /**
   * Appends one line per row (`{ ts, deploymentId, features, imputed? }`; `imputed` only when the model filled in
   * features); appends to the same file are serialized.
   */
  append(model: string, version: number, deploymentId: string, rows: readonly ServedEntry[]): Promise<void>;
  /** The newest `limit` rows (oldest first) and the number of rows logged. A version never served has none. */
  tail(model: string, version: number, limit: number): Promise<{ total: number; rows: ServedRow[] }>;
  /** Resolves when every pending append has finished. */
  flush(): Promise<void>;
}

/** The log file of one model version. */
export function servedLogPath(servingDir: string, model: string, version: number): string {
  return join(servingDir, model, `v${version}.jsonl`);
}

/** Creates the served-row log rooted at `servingDir` (`<home>/serving`). */
export function createServedLog(servingDir: string): ServedLog {
  const pending = new Map<string, Promise<void>>();

  const append: ServedLog['append'] = (model, version, deploymentId, rows) => {
    const path = servedLogPath(servingDir, model, version);
    const ts = new Date().toISOString();
    const text = rows.map((row) => JSON.stringify(servedLine(ts, deploymentId, row)) + '\n').join('');
    const previous = pending.get(path) ?? Promise.resolve();
    const next = previous.then(async () => {
      await mkdir(join(servingDir, model), { recursive: true });
      await appendFile(path, text, 'utf8');
    });
    const settled = next.catch(() => undefined);
    pending.set(path, settled);
    void settled.then(() => {
      if (pending.get(path) === settled) pending.delete(path);
    });
    return next;
  };

  const tail: ServedLog['tail'] = async (model, version, limit) => {
    const path = servedLogPath(servingDir, model, version);
    await pending.get(path);
    return readTail(path, limit);
  };

  const flush = async (): Promise<void> => {
    await Promise.all([...pending.values()]);
  };

  return { append, tail, flush };
}

function servedLine(ts: string, deploymentId: string, { features, imputed }: ServedEntry): ServedRow {
  return imputed && imputed.length > 0
    ? { ts, deploymentId, features, imputed: [...imputed] }
    : { ts, deploymentId, features };
}

/** Streams a JSONL log keeping only the last `limit` rows; lines that do not parse (a torn last write) are skipped. */
async function readTail(path: string, limit: number): Promise<{ total: number; rows: ServedRow[] }> {
  // A circular buffer: row n goes to slot n % limit, so memory stays bounded by `limit`.
  const ring: ServedRow[] = [];
  let total = 0;
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const row = parseLine(line);
      if (!row) continue;
      ring[total % limit] = row;
      total++;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { total: 0, rows: [] };
    throw err;
  } finally {
    lines.close();
    stream.destroy();
  }
  const start = total > limit ? total % limit : 0;
  return { total, rows: [...ring.slice(start), ...ring.slice(0, start)] };
}

function parseLine(line: string): ServedRow | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = ServedRow.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
