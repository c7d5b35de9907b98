/**
 * The model-server source of a guardian check: the served-rows log of one version, read page by page from the
 * window's cursor (or the log's start), keeping the rows with `from < ts ≤ to`, the newest `maxRows` of them, and
 * the cursor right after the last row at or before `to` (where the next check resumes).
 */
import { FinalErrorType, SlipwayErrorType, finalFailure, type CheckWindow, type ServedRow } from '@slipway/sdk';
import type { ModelServerClient } from '../model-server/client.js';
import { NewestRows, inWindow, windowBounds } from './window-rows.js';

/** The `after` value that reads a served log from its first row. */
export const SERVED_LOG_START = 'start';

/** How many served rows one request asks for. */
export const SERVED_PAGE_ROWS = 10_000;

/** The served rows of a window. */
export interface ServedWindow {
  /** The newest `maxRows` rows of the window, oldest first. */
  rows: ServedRow[];
  /** Rows of the window, kept or not. */
  windowRows: number;
  /** The cursor after the last row at or before `to`; the input cursor when nothing was read. */
  cursor: string | undefined;
}

/** What {@link readServedWindow} reads. */
export interface ServedWindowInput {
  client: Pick<ModelServerClient, 'served'>;
  model: string;
  version: number;
  window: CheckWindow;
  maxRows: number;
  /** Rows per request (default {@link SERVED_PAGE_ROWS}). */
  pageRows?: number;
  /** Called after each page (heartbeats, cancellation). */
  onPage?: (read: number) => void;
}

/**
 * Reads a version's served rows in a window. Rows are logged oldest first; reading stops at the first row after
 * `to`, and the page is read again up to the row before it, so the returned cursor sits exactly after the window.
 *
 * @throws a final `SlipwayInvalidInput` failure when a served row's `ts` is not a time.
 */
export async function readServedWindow(input: ServedWindowInput): Promise<ServedWindow> {
  const bounds = windowBounds(input.window);
  const pageRows = input.pageRows ?? SERVED_PAGE_ROWS;
  const kept = new NewestRows<ServedRow>(input.maxRows);
  let after = input.window.cursor ?? SERVED_LOG_START;
  let cursor = input.window.cursor;
  let read = 0;
  for (;;) {
    const page = await readPage(input, pageRows, after);
    // A cursor the server refuses (it belongs to the version served before, or to a log since rotated away) is
    // only a shortcut: read the log from its start; the window's bounds still decide which rows count.
    if (page === 'cursor-refused') {
      after = SERVED_LOG_START;
      cursor = undefined;
      continue;
    }
    const beyond = page.rows.findIndex((row) => servedTime(row, input) > bounds.to);
    const rows = beyond === -1 ? page.rows : page.rows.slice(0, beyond);
    for (const row of rows) if (inWindow(bounds, servedTime(row, input))) kept.add(row);
    read += rows.length;
    input.onPage?.(read);
    if (beyond === -1) {
      if (page.rows.length > 0 || cursor === undefined) cursor = page.cursor;
      if (page.rows.length < pageRows) break;
      after = page.cursor;
      continue;
    }
    // The window ends inside this page: the cursor after its last row in the window.
    if (beyond > 0) cursor = (await input.client.served(input.model, input.version, beyond, after)).cursor;
    break;
  }
  return { rows: kept.toArray(), windowRows: kept.seen, cursor };
}

function servedTime(row: ServedRow, where: { model: string; version: number }): number {
  const time = Date.parse(row.ts);
  if (Number.isNaN(time)) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `a served row of ${where.model} version ${where.version} has ts ${JSON.stringify(row.ts)}, not a time`,
      { model: where.model, version: where.version, ts: row.ts },
    );
  }
  return time;
}

/** One page; `'cursor-refused'` when the server refuses the window's own cursor (never one read in this call). */
async function readPage(input: ServedWindowInput, pageRows: number, after: string) {
  try {
    return await input.client.served(input.model, input.version, pageRows, after);
  } catch (err) {
    const refused = (err as { type?: unknown }).type === FinalErrorType.ModelServerRejected;
    if (refused && after !== SERVED_LOG_START && after === input.window.cursor) return 'cursor-refused' as const;
    throw err;
  }
}
