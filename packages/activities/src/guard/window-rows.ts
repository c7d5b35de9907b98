/**
 * The rows of a check's window: `from < ts ≤ to`, the newest `maxRows` of them kept in a bounded buffer, whatever
 * the source.
 */
import type { CheckWindow } from '@slipway/sdk';

/** A window's bounds as epoch milliseconds (`from` absent: no lower bound). */
export interface WindowBounds {
  from: number;
  to: number;
}

/** The bounds of a check window. */
export function windowBounds(window: Pick<CheckWindow, 'from' | 'to'>): WindowBounds {
  return {
    from: window.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(window.from),
    to: Date.parse(window.to),
  };
}

/** Whether a time (epoch ms) lies in the window: `from < t ≤ to`. */
export function inWindow(bounds: WindowBounds, time: number): boolean {
  return time > bounds.from && time <= bounds.to;
}

/** Keeps the newest `capacity` of the items added (oldest first when read), counting every item added. */
export class NewestRows<T> {
  private readonly items: T[] = [];
  private start = 0;
  /** Every item added, kept or not. */
  seen = 0;

  constructor(private readonly capacity: number) {}

  /** Adds an item; the oldest one kept is dropped when the buffer is full. */
  add(item: T): void {
    this.seen++;
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /** The items kept, oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
}

/** An item with its time and its reading order (ties in time keep the later-read item as the newer). */
interface Timed<T> {
  time: number;
  seq: number;
  item: T;
}

function older<T>(a: Timed<T>, b: Timed<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * Keeps the `capacity` newest items by time, whatever order they are added in (files of a rows source need not be
 * in time order): a min-heap on (time, reading order) whose root, the oldest kept item, is replaced by a newer one.
 */
export class NewestByTime<T> {
  private readonly heap: Timed<T>[] = [];
  /** Every item added, kept or not. */
  seen = 0;

  constructor(private readonly capacity: number) {}

  /** Adds an item stamped `time` (epoch ms). */
  add(time: number, item: T): void {
    const entry = { time, seq: this.seen++, item };
    if (this.heap.length < this.capacity) {
      this.heap.push(entry);
      this.up(this.heap.length - 1);
    } else if (older(this.heap[0] as Timed<T>, entry)) {
      this.heap[0] = entry;
      this.down(0);
    }
  }

  /** The items kept, oldest first. */
  toArray(): T[] {
    return [...this.heap].sort((a, b) => (older(a, b) ? -1 : older(b, a) ? 1 : 0)).map((e) => e.item);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!older(heap[i] as Timed<T>, heap[parent] as Timed<T>)) return;
      [heap[i], heap[parent]] = [heap[parent] as Timed<T>, heap[i] as Timed<T>];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && older(heap[left] as Timed<T>, heap[least] as Timed<T>)) least = left;
      if (right < heap.length && older(heap[right] as Timed<T>, heap[least] as Timed<T>)) least = right;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least] as Timed<T>, heap[i] as Timed<T>];
      i = least;
    }
  }
}
