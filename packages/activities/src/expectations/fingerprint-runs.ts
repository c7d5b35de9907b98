/**
 * External sorting of (fingerprint, position) records in bounded memory: records fill a fixed buffer; a full
 * buffer is sorted and written to a temporary run file; at the end the runs are merged in order. Used to find
 * duplicates exactly over any number of rows with a fixed memory budget.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const RECORD_BYTES = 16;

/** One record: the fingerprint halves and the position code of the row it came from. */
export interface FingerprintRecord {
  hi: number;
  lo: number;
  position: number;
}

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

  /** Every record in fingerprint order (then position order), then removes the temporary files. */
  async *sorted(): AsyncGenerator<FingerprintRecord> {
    try {
      if (this.runs.length === 0) {
        yield* this.memorySorted();
        return;
      }
      await this.spill();
      yield* mergeRuns(this.runs);
    } finally {
      if (this.dir) await rm(this.dir, { recursive: true, force: true });
    }
  }

  private *memorySorted(): Generator<FingerprintRecord> {
    for (const i of this.order())
      yield { hi: this.hi[i] as number, lo: this.lo[i] as number, position: this.position[i] as number };
  }

  private order(): Uint32Array {
    const index = new Uint32Array(this.size).map((_, i) => i);
    return index.sort((a, b) =>
      compare(
        this.hi[a] as number,
        this.lo[a] as number,
        this.position[a] as number,
        this.hi[b] as number,
        this.lo[b] as number,
        this.position[b] as number,
      ),
    );
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

/** Reads one run in chunks. */
class RunReader {
  private buffer = Buffer.alloc(0);
  private offset = 0;
  private filePosition = 0;
  current: FingerprintRecord | undefined;

  constructor(private readonly file: FileHandle) {}

  async next(): Promise<void> {
    if (this.offset + RECORD_BYTES > this.buffer.length) {
      const chunk = Buffer.allocUnsafe(RECORD_BYTES * 4096);
      const { bytesRead } = await this.file.read(chunk, 0, chunk.length, this.filePosition);
      this.filePosition += bytesRead;
      this.buffer = chunk.subarray(0, bytesRead);
      this.offset = 0;
    }
    if (this.offset + RECORD_BYTES > this.buffer.length) {
      this.current = undefined;
      return;
    }
    const b = this.buffer;
    this.current = {
      hi: b.readUInt32BE(this.offset),
      lo: b.readUInt32BE(this.offset + 4),
      position: b.readDoubleBE(this.offset + 8),
    };
    this.offset += RECORD_BYTES;
  }
}

async function* mergeRuns(paths: readonly string[]): AsyncGenerator<FingerprintRecord> {
  const files = await Promise.all(paths.map((p) => open(p, 'r')));
  try {
    const readers = files.map((f) => new RunReader(f));
    for (const r of readers) await r.next();
    for (;;) {
      let best: RunReader | undefined;
      for (const r of readers) {
        const c = r.current;
        if (!c) continue;
        const b = best?.current;
        if (!b || compare(c.hi, c.lo, c.position, b.hi, b.lo, b.position) < 0) best = r;
      }
      if (!best?.current) return;
      yield best.current;
      await best.next();
    }
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
}
