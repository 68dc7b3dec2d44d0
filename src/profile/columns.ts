/**
 * Task records kept column by column in typed arrays. Holding on to the pool's record objects would
 * promote every one of them to the old generation (tens of thousands per second on tiny tasks) and
 * make the collector pay for them; a few numbers per task in flat arrays cost nothing to keep.
 */
import type { TaskRecord } from '../pool/observer.js';

const OK = 0;
const THREW = 1;

/** An append-only table of task records. */
export class TaskColumns {
  private size = 0;
  private capacity: number;
  private id: Float64Array;
  private name: Uint32Array;
  private worker: Uint32Array;
  private outcome: Uint8Array;
  private enqueuedAt: Float64Array;
  private startedAt: Float64Array;
  private runMs: Float64Array;
  private receivedAt: Float64Array;
  // Task and worker names are few: each is stored once and referred to by index.
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly workers: string[] = [];
  private readonly workerIndex = new Map<string, number>();

  constructor(initialCapacity = 4096) {
    this.capacity = initialCapacity;
    this.id = new Float64Array(initialCapacity);
    this.name = new Uint32Array(initialCapacity);
    this.worker = new Uint32Array(initialCapacity);
    this.outcome = new Uint8Array(initialCapacity);
    this.enqueuedAt = new Float64Array(initialCapacity);
    this.startedAt = new Float64Array(initialCapacity);
    this.runMs = new Float64Array(initialCapacity);
    this.receivedAt = new Float64Array(initialCapacity);
  }

  /** Tasks recorded. */
  get length(): number {
    return this.size;
  }

  /** Appends `r`'s fields. */
  push(r: TaskRecord): void {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.id[i] = r.id;
    this.name[i] = intern(r.name, this.names, this.nameIndex);
    this.worker[i] = intern(r.worker, this.workers, this.workerIndex);
    this.outcome[i] = r.outcome === 'ok' ? OK : THREW;
    this.enqueuedAt[i] = r.enqueuedAt;
    this.startedAt[i] = r.startedAt;
    this.runMs[i] = r.runMs;
    this.receivedAt[i] = r.receivedAt;
  }

  /** The records as objects again (for exports, once). */
  toRecords(): TaskRecord[] {
    const out: TaskRecord[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) {
      out[i] = {
        id: this.id[i], name: this.names[this.name[i]], worker: this.workers[this.worker[i]], outcome: this.outcome[i] === OK ? 'ok' : 'threw',
        enqueuedAt: this.enqueuedAt[i], startedAt: this.startedAt[i], runMs: this.runMs[i], receivedAt: this.receivedAt[i],
      };
    }
    return out;
  }

  private grow(): void {
    this.capacity *= 2;
    this.id = grown(this.id, this.capacity);
    this.name = grown(this.name, this.capacity);
    this.worker = grown(this.worker, this.capacity);
    this.outcome = grown(this.outcome, this.capacity);
    this.enqueuedAt = grown(this.enqueuedAt, this.capacity);
    this.startedAt = grown(this.startedAt, this.capacity);
    this.runMs = grown(this.runMs, this.capacity);
    this.receivedAt = grown(this.receivedAt, this.capacity);
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
