/** How many of the last non-empty stderr lines a failure quotes. */
export const STDERR_TAIL_LINES = 20;
/** How many bytes of stderr a failure quotes at most. */
export const STDERR_TAIL_BYTES = 4096;

/** The bounded end of a process's stderr: what a failure quotes. */
export interface StderrTail {
  /** Takes the next chunk of stderr. */
  push(chunk: Buffer): void;
  /** The last non-empty lines (at most {@link STDERR_TAIL_LINES} lines and {@link STDERR_TAIL_BYTES} bytes). */
  text(): string;
}

/**
 * Keeps the end of a stream in bounded memory (twice the byte bound, so that the last lines are whole even when
 * blank lines follow them) and renders it as the last non-empty lines.
 */
export function createStderrTail(maxLines = STDERR_TAIL_LINES, maxBytes = STDERR_TAIL_BYTES): StderrTail {
  let kept = Buffer.alloc(0);
  return {
    push(chunk) {
      kept = Buffer.concat([kept, chunk]);
      if (kept.length > 2 * maxBytes) kept = kept.subarray(kept.length - 2 * maxBytes);
    },
    text() {
      const lines = kept
        .toString('utf8')
        .split(/\r?\n/)
        .map((line) => line.trimEnd())
        .filter((line) => line.trim() !== '');
      const text = lines.slice(-maxLines).join('\n');
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.length <= maxBytes) return text;
      // Cut at the start, then drop a partial first character or line.
      const cut = bytes.subarray(bytes.length - maxBytes).toString('utf8');
      const newline = cut.indexOf('\n');
      return newline >= 0 ? cut.slice(newline + 1) : cut.replace(/^\uFFFD+/, '');
    },
  };
}
