/**
 * External sorting of (fingerprint, position) records in bounded memory: records fill a fixed buffer; a full
 * buffer is sorted and written to a temporary run file; at the end the runs are merged in order. Used to find
 * duplicates exactly over any number of rows with a fixed memory budget.
 *
 * The order is by fingerprint (`hi`, then `lo`), then position. A buffer whose positions arrived in ascending
 * order (CSV and JSON lines lines) is sorted by a stable radix sort on the fingerprint; any other buffer by
 * comparison. The merge keeps the runs in a binary heap and reads each run in blocks.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const RECORD_BYTES = 16;
/** Records read from a run file at a time. */
const READ_RECORDS = 4096;
/** The radix sort takes 16 bits of the fingerprint per pass. */
const RADIX_BITS = 16;
const RADIX = 1 << RADIX_BITS;

/** Sees one record of the sorted order: the fingerprint halves and the position code of the row it came from. */
export type SortedRecordVisitor = (hi: number, lo: number, position: number) => void;

/** A bounded buffer of records that spills sorted runs to disk. */
export class FingerprintRuns {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly position: Float64Array;
  private size = 0;
  private readonly runs: string[] = [];
  private dir: string | undefined;

  /** `capacity` records stay in memory (16 bytes each); `tempRoot` is where runs go. */
  constructor(
    private readonly capacity: number,
    private readonly tempRoot: string,
  ) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.position = new Float64Array(capacity);
  }

  /**
   * Adds a record. Synchronous while the buffer has room; when it is full, returns the promise of spilling a
   * sorted run first (await it before adding more).
   */
  add(hi: number, lo: number, position: number): Promise<void> | undefined {
    if (this.size === this.capacity) return this.spill().then(() => this.push(hi, lo, position));
    this.push(hi, lo, position);
    return undefined;
  }

  private push(hi: number, lo: number, position: number): void {
    this.hi[this.size] = hi;
    this.lo[this.size] = lo;
    this.position[this.size] = position;
    this.size++;
  }

  /** How many runs went to disk so far. */
  get spilledRuns(): number {
    return this.runs.length;
  }

  /** Calls `visit` with every record in fingerprint order (then position order), then removes the temporary files. */
  async forEachSorted(visit: SortedRecordVisitor): Promise<void> {
    try {
      if (this.runs.length === 0) {
        const order = this.order();
        for (let k = 0; k < order.length; k++) {
          const i = order[k] as number;
          visit(this.hi[i] as number, this.lo[i] as number, this.position[i] as number);
        }
        return;
      }
      await this.spill();
      await mergeRuns(this.runs, visit);
    } finally {
      if (this.dir) await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** The indexes of the buffered records in sorted order. */
  private order(): Uint32Array {
    const { hi, lo, position, size } = this;
    for (let i = 1; i < size; i++) {
      if ((position[i] as number) <= (position[i - 1] as number)) return comparisonOrder(hi, lo, position, size);
    }
    return radixOrder(hi, lo, size);
  }

  private async spill(): Promise<void> {
    if (this.size === 0) return;
    this.dir ??= await mkdtemp(join(this.tempRoot, 'slipway-unique-'));
    const buffer = Buffer.allocUnsafe(this.size * RECORD_BYTES);
    let offset = 0;
    for (const i of this.order()) {
      buffer.writeUInt32BE(this.hi[i] as number, offset);
      buffer.writeUInt32BE(this.lo[i] as number, offset + 4);
      buffer.writeDoubleBE(this.position[i] as number, offset + 8);
      offset += RECORD_BYTES;
    }
    const path = join(this.dir, `run-${this.runs.length}.bin`);
    const file = await open(path, 'w');
    try {
      await file.write(buffer);
    } finally {
      await file.close();
    }
    this.runs.push(path);
    this.size = 0;
  }
}

function compare(ah: number, al: number, ap: number, bh: number, bl: number, bp: number): number {
  return ah - bh || al - bl || ap - bp;
}

/** Indexes `0..size-1` sorted by (hi, lo, position). */
function comparisonOrder(hi: Uint32Array, lo: Uint32Array, position: Float64Array, size: number): Uint32Array {
  const index = new Uint32Array(size).map((_, i) => i);
  return index.sort((a, b) =>
    compare(
      hi[a] as number,
      lo[a] as number,
      position[a] as number,
      hi[b] as number,
      lo[b] as number,
      position[b] as number,
    ),
  );
}

/**
 * Indexes `0..size-1` sorted by (hi, lo), ties in index order: a stable least-significant-digit radix sort on
 * `hi` in two passes of 16 bits, then each run of equal `hi` (rare unless the values repeat) sorted by `lo`,
 * stably. When positions ascend with the index, this is the (hi, lo, position) order.
 */
function radixOrder(hi: Uint32Array, lo: Uint32Array, size: number): Uint32Array {
  let from = new Uint32Array(size);
  for (let i = 0; i < size; i++) from[i] = i;
  let to = new Uint32Array(size);
  const starts = new Int32Array(RADIX);
  for (const shift of [0, RADIX_BITS]) {
    radixPass(hi, shift, from, to, starts, size);
    [from, to] = [to, from];
  }
  let start = 0;
  for (let k = 1; k <= size; k++) {
    if (k < size && hi[from[k] as number] === hi[from[start] as number]) continue;
    if (k - start > 1) sortByLo(from, lo, start, k);
    start = k;
  }
  return from;
}

/** Runs up to this long are sorted by insertion. */
const INSERTION_RUN = 32;

/** Sorts `order[start..end)` by `lo`, ties in index order (the run holds ascending indexes). */
function sortByLo(order: Uint32Array, lo: Uint32Array, start: number, end: number): void {
  if (end - start > INSERTION_RUN) {
    order.subarray(start, end).sort((a, b) => (lo[a] as number) - (lo[b] as number) || a - b);
    return;
  }
  for (let i = start + 1; i < end; i++) {
    const index = order[i] as number;
    const key = lo[index] as number;
    let j = i - 1;
    for (; j >= start && (lo[order[j] as number] as number) > key; j--) order[j + 1] = order[j] as number;
    order[j + 1] = index;
  }
}

/** One stable counting-sort pass of the indexes in `from` into `to`, on 16 bits of `keys` from bit `shift`. */
function radixPass(
  keys: Uint32Array,
  shift: number,
  from: Uint32Array,
  to: Uint32Array,
  starts: Int32Array,
  size: number,
): void {
  starts.fill(0);
  for (let k = 0; k < size; k++) {
    const digit = ((keys[k] as number) >>> shift) & (RADIX - 1);
    starts[digit] = (starts[digit] as number) + 1;
  }
  let sum = 0;
  for (let d = 0; d < RADIX; d++) {
    const count = starts[d] as number;
    starts[d] = sum;
    sum += count;
  }
  for (let k = 0; k < size; k++) {
    const i = from[k] as number;
    const digit = ((keys[i] as number) >>> shift) & (RADIX - 1);
    const at = starts[digit] as number;
    starts[digit] = at + 1;
    to[at] = i;
  }
}

/** Reads one run in blocks; `hi`, `lo` and `position` are its current record. */
class RunReader {
  private buffer = Buffer.alloc(0);
  private offset = 0;
  private filePosition = 0;
  hi = 0;
  lo = 0;
  position = 0;

  constructor(private readonly file: FileHandle) {}

  /** Moves to the next record of the block read last; false when the block is used up. */
  advance(): boolean {
    this.offset += RECORD_BYTES;
    return this.load();
  }

  /** Reads the next block and moves to its first record; false at the end of the run. */
  async fill(): Promise<boolean> {
    const chunk = Buffer.allocUnsafe(RECORD_BYTES * READ_RECORDS);
    const { bytesRead } = await this.file.read(chunk, 0, chunk.length, this.filePosition);
    this.filePosition += bytesRead;
    this.buffer = chunk.subarray(0, bytesRead);
    this.offset = 0;
    return this.load();
  }

  private load(): boolean {
    const b = this.buffer;
    if (this.offset + RECORD_BYTES > b.length) return false;
    this.hi = b.readUInt32BE(this.offset);
    this.lo = b.readUInt32BE(this.offset + 4);
    this.position = b.readDoubleBE(this.offset + 8);
    return true;
  }
}

function before(a: RunReader, b: RunReader): boolean {
  return compare(a.hi, a.lo, a.position, b.hi, b.lo, b.position) < 0;
}

/** Restores the heap order below `start` (the reader there may have moved on). */
function siftDown(heap: RunReader[], start: number): void {
  let i = start;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let first = i;
    if (left < heap.length && before(heap[left] as RunReader, heap[first] as RunReader)) first = left;
    if (right < heap.length && before(heap[right] as RunReader, heap[first] as RunReader)) first = right;
    if (first === i) return;
    [heap[i], heap[first]] = [heap[first] as RunReader, heap[i] as RunReader];
    i = first;
  }
}

async function mergeRuns(paths: readonly string[], visit: SortedRecordVisitor): Promise<void> {
  const files = await Promise.all(paths.map((p) => open(p, 'r')));
  try {
    const heap: RunReader[] = [];
    for (const file of files) {
      const reader = new RunReader(file);
      if (await reader.fill()) heap.push(reader);
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    while (heap.length > 0) {
      const top = heap[0] as RunReader;
      visit(top.hi, top.lo, top.position);
      if (!top.advance() && !(await top.fill())) {
        const last = heap.pop() as RunReader;
        if (heap.length === 0) return;
        heap[0] = last;
      }
      siftDown(heap, 0);
    }
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
}
