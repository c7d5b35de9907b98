import cliProgress from 'cli-progress';

/** A progress display for work measured in bytes. */
export interface ByteProgress {
  /** Reports `done` of `total` bytes; `detail` is shown next to the bar (e.g. `120,000 rows`). */
  update: (done: number, total: number, detail?: string) => void;
  stop: () => void;
}

/**
 * Progress on stderr for work of at least `minBytes`: a bar on a terminal, otherwise a line at 25, 50 and 75 %
 * and a last one at `stop()` when the work reached its end (so CI logs show progress without a flood, and
 * the last line carries the final detail: bytes are often all read before the last rows are counted).
 */
export function byteProgress(label: string, minBytes = 0): ByteProgress {
  let bar: cliProgress.SingleBar | undefined;
  let quarter = 0;
  let last: { done: number; total: number; detail: string } | undefined;
  const line = (percent: number, { done, total, detail }: { done: number; total: number; detail: string }): string =>
    `${label} ${percent}% (${formatBytes(done)} of ${formatBytes(total)})${detail ? `, ${detail}` : ''}`;
  const update = (done: number, total: number, detail = ''): void => {
    if (total < minBytes || total <= 0) return;
    last = { done, total, detail };
    if (process.stderr.isTTY) {
      bar ??= startBar(label, total);
      bar.update(done, { done: formatBytes(done), detail });
      return;
    }
    const reached = Math.min(3, Math.floor((done / total) * 4));
    if (reached > quarter) {
      quarter = reached;
      console.error(line(reached * 25, last));
    }
  };
  const stop = (): void => {
    if (bar) bar.stop();
    else if (last && last.done >= last.total) console.error(line(100, last));
  };
  return { update, stop };
}

function startBar(label: string, total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {done} of {size} | {detail} | ETA {eta_formatted}`,
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { size: formatBytes(total), done: formatBytes(0), detail: '' });
  return bar;
}

/** `12.3 MiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
