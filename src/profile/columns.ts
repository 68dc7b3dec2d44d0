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
  // Task and worker names are few: each is stored once and referred to by index. Consecutive records
  // mostly repeat the previous names (the same string objects), which a pointer comparison catches.
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly workers: string[] = [];
  private readonly workerIndex = new Map<string, number>();
  private lastName = '';
  private lastNameAt = -1;
  private lastWorker = '';
  private lastWorkerAt = -1;

  constructor() {
    this.chunks.push(this.current);
  }

  /** Tasks recorded. */
  get length(): number {
    return (this.chunks.length - 1) * CHUNK + this.used;
  }

  /** Appends `r`'s fields. */
  push(r: TaskRecord): void {
    this.pushRow(r.id, r.name, this.workerAt(r.worker), r.outcome === 'ok', r.enqueuedAt, r.startedAt, r.runMs, r.receivedAt);
  }

  /** Appends every task of one results message. */
  pushBatch(b: FinishedTasks): void {
    const worker = this.workerAt(b.worker);
    const receivedAt = b.receivedAt;
    const count = b.count;
    let i = 0;
    while (i < count) {
      if (this.used === CHUNK) {
        this.current = new TaskChunk();
        this.chunks.push(this.current);
        this.used = 0;
      }
      // Rows up to the end of the message or of the chunk, written without per-row bound checks of our own.
      const c = this.current;
      const end = Math.min(count, i + CHUNK - this.used);
      let row = this.used;
      for (; i < end; i++, row++) {
        const name = b.name(i);
        if (name !== this.lastName) {
          this.lastName = name;
          this.lastNameAt = intern(name, this.names, this.nameIndex);
        }
        c.id[row] = b.id(i);
        c.name[row] = this.lastNameAt;
        c.worker[row] = worker;
        c.outcome[row] = b.ok(i) ? OK : THREW;
        c.enqueuedAt[row] = b.enqueuedAt(i);
        c.startedAt[row] = b.startedAt(i);
        c.runMs[row] = b.runMs(i);
        c.receivedAt[row] = receivedAt;
      }
      this.used = row;
    }
  }

  /** The index of worker name `worker`. */
  private workerAt(worker: string): number {
    if (worker !== this.lastWorker) {
      this.lastWorker = worker;
      this.lastWorkerAt = intern(worker, this.workers, this.workerIndex);
    }
    return this.lastWorkerAt;
  }

  private pushRow(id: number, name: string, worker: number, ok: boolean, enqueuedAt: number, startedAt: number, runMs: number, receivedAt: number): void {
    if (this.used === CHUNK) {
      this.current = new TaskChunk();
      this.chunks.push(this.current);
      this.used = 0;
    }
    const c = this.current;
    const i = this.used++;
    if (name !== this.lastName) {
      this.lastName = name;
      this.lastNameAt = intern(name, this.names, this.nameIndex);
    }
    c.id[i] = id;
    c.name[i] = this.lastNameAt;
    c.worker[i] = worker;
    c.outcome[i] = ok ? OK : THREW;
    c.enqueuedAt[i] = enqueuedAt;
    c.startedAt[i] = startedAt;
    c.runMs[i] = runMs;
    c.receivedAt[i] = receivedAt;
  }

  /** The records as objects again (for exports, once). */
  toRecords(): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const c of this.chunks) {
      const n = c === this.current ? this.used : CHUNK;
      for (let i = 0; i < n; i++) {
        out.push({
          id: c.id[i], name: this.names[c.name[i]], worker: this.workers[c.worker[i]], outcome: c.outcome[i] === OK ? 'ok' : 'threw',
          enqueuedAt: c.enqueuedAt[i], startedAt: c.startedAt[i], runMs: c.runMs[i], receivedAt: c.receivedAt[i],
        });
      }
    }
    return out;
  }
}

function intern(value: string, list: string[], index: Map<string, number>): number {
  let i = index.get(value);
  if (i === undefined) {
    i = list.length;
    list.push(value);
    index.set(value, i);
  }
  return i;
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
  private readonly workers: string[] = [];
  private readonly workerIndex = new Map<string, number>();

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
    this.worker[i] = intern(worker, this.workers, this.workerIndex);
    this.count[i] = count;
    this.ms[i] = ms;
    this.at[i] = at;
  }

  /** The records as objects. */
  toRecords(): { worker: string; count: number; ms: number; at: number }[] {
    const out = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = { worker: this.workers[this.worker[i]], count: this.count[i], ms: this.ms[i], at: this.at[i] };
    return out;
  }
}
