/**
 * Task records kept column by column in typed arrays. Holding on to the pool's record objects would
 * promote every one of them to the old generation (tens of thousands per second on tiny tasks) and
 * make the collector pay for them; a few numbers per task in flat arrays cost nothing to keep.
 */
import type { FinishedTasks, TaskRecord } from '../pool/observer.js';

const OK = 0;
const THREW = 1;

/** Rows per chunk: a full chunk is kept as is and a new one started, so growing never copies. */
const CHUNK = 16_384;

/** One chunk of task columns. */
class TaskChunk {
  readonly id = new Float64Array(CHUNK);
  readonly name = new Uint16Array(CHUNK);
  readonly worker = new Uint16Array(CHUNK);
  readonly outcome = new Uint8Array(CHUNK);
  readonly enqueuedAt = new Float64Array(CHUNK);
  readonly startedAt = new Float64Array(CHUNK);
  readonly runMs = new Float64Array(CHUNK);
  readonly receivedAt = new Float64Array(CHUNK);
}

/** An append-only table of task records. */
export class TaskColumns {
  private readonly chunks: TaskChunk[] = [];
  private current = new TaskChunk();
  private used = 0;
  private readonly names = new Interner();
  private readonly workers = new Interner();

  constructor() {
    this.chunks.push(this.current);
  }

  /** Tasks recorded. */
  get length(): number {
    return (this.chunks.length - 1) * CHUNK + this.used;
  }

  /** Appends every task of one results message. */
  pushBatch(b: FinishedTasks): void {
    const worker = this.workers.indexOf(b.worker);
    for (let i = 0; i < b.count; i++) {
      const row = this.nextRow();
      const c = this.current;
      c.id[row] = b.id(i);
      c.name[row] = this.names.indexOf(b.name(i));
      c.worker[row] = worker;
      c.outcome[row] = b.ok(i) ? OK : THREW;
      c.enqueuedAt[row] = b.enqueuedAt(i);
      c.startedAt[row] = b.startedAt(i);
      c.runMs[row] = b.runMs(i);
      c.receivedAt[row] = b.receivedAt;
    }
  }

  /** The next free row of the current chunk, starting a new chunk when it is full. */
  private nextRow(): number {
    if (this.used === CHUNK) {
      this.current = new TaskChunk();
      this.chunks.push(this.current);
      this.used = 0;
    }
    return this.used++;
  }

  /** The records as objects again (for exports, once). */
  toRecords(): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const c of this.chunks) {
      const n = c === this.current ? this.used : CHUNK;
      for (let i = 0; i < n; i++) {
        out.push({
          id: c.id[i], name: this.names.at(c.name[i]), worker: this.workers.at(c.worker[i]), outcome: c.outcome[i] === OK ? 'ok' : 'threw',
          enqueuedAt: c.enqueuedAt[i], startedAt: c.startedAt[i], runMs: c.runMs[i], receivedAt: c.receivedAt[i],
        });
      }
    }
    return out;
  }
}

/**
 * Strings stored once and referred to by index: task and worker names are few. Consecutive records mostly repeat
 * the previous name (the same string object), which a pointer comparison catches before the map lookup.
 */
class Interner {
  private readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  private lastValue: string | undefined;
  private lastIndex = -1;

  indexOf(value: string): number {
    if (value === this.lastValue) return this.lastIndex;
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(value, i);
    }
    this.lastValue = value;
    this.lastIndex = i;
    return i;
  }

  at(index: number): string {
    return this.values[index];
  }
}

function grown<T extends Float64Array | Uint32Array | Uint8Array>(old: T, capacity: number): T {
  const next = new (old.constructor as new (n: number) => T)(capacity);
  next.set(old);
  return next;
}

/** An append-only table of message records (sends or receives), for the same reason as {@link TaskColumns}. */
export class MessageColumns {
  private size = 0;
  private worker: Uint32Array;
  private count: Uint32Array;
  private ms: Float64Array;
  private at: Float64Array;
  private readonly workers = new Interner();

  constructor(private capacity = 1024) {
    this.worker = new Uint32Array(capacity);
    this.count = new Uint32Array(capacity);
    this.ms = new Float64Array(capacity);
    this.at = new Float64Array(capacity);
  }

  /** Appends one message. */
  push(worker: string, count: number, ms: number, at: number): void {
    if (this.size === this.capacity) {
      this.capacity *= 2;
      this.worker = grown(this.worker, this.capacity);
      this.count = grown(this.count, this.capacity);
      this.ms = grown(this.ms, this.capacity);
      this.at = grown(this.at, this.capacity);
    }
    const i = this.size++;
    this.worker[i] = this.workers.indexOf(worker);
    this.count[i] = count;
    this.ms[i] = ms;
    this.at[i] = at;
  }

  /** The records as objects. */
  toRecords(): { worker: string; count: number; ms: number; at: number }[] {
    const out = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = { worker: this.workers.at(this.worker[i]), count: this.count[i], ms: this.ms[i], at: this.at[i] };
    return out;
  }
}
