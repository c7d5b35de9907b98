import cliProgress from 'cli-progress';

/** A progress display for work measured in bytes. */
export interface ByteProgress {
  /** Reports `done` of `total` bytes; `detail` is shown next to the bar (e.g. `120,000 rows`). */
  update: (done: number, total: number, detail?: string) => void;
  stop: () => void;
}

/**
 * Progress on stderr for work of at least `minBytes`: a bar on a terminal, otherwise a line at every quarter
 * (so CI logs show progress without a flood).
 */
export function byteProgress(label: string, minBytes = 0): ByteProgress {
  let bar: cliProgress.SingleBar | undefined;
  let quarter = 0;
  const update = (done: number, total: number, detail = ''): void => {
    if (total < minBytes || total <= 0) return;
    if (process.stderr.isTTY) {
      bar ??= startBar(label, total);
      bar.update(done, { done: formatBytes(done), detail });
      return;
    }
    const reached = Math.floor((done / total) * 4);
    if (reached > quarter) {
      quarter = reached;
      console.error(
        `${label} ${reached * 25}% (${formatBytes(done)} of ${formatBytes(total)})${detail ? `, ${detail}` : ''}`,
      );
    }
  };
  return { update, stop: () => bar?.stop() };
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
