/**
 * Atomic counters over shared memory: a 32-bit one and a 64-bit (bigint) one. They are plain
 * words, with no header, so they can also sit in any slot of an existing shared typed array.
 */
import { SyncMisuseError } from './errors.js';
import { placed, type PlacementOptions } from './layout.js';

function checkSlot(view: ArrayBufferView & { length: number }, index: number, name: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= view.length) {
    throw new SyncMisuseError(`${name}.from: index ${index} is outside [0, ${view.length})`);
  }
}

/**
 * A 32-bit signed atomic counter (values wrap around at 2^31, like `Atomics.add`).
 *
 * @example
 * ```ts
 * const done = AtomicCounter.create();
 * // in each worker, given done.view:
 * AtomicCounter.from(view).increment();
 * ```
 */
export class AtomicCounter {
  private constructor(
    /** The shared memory; pass it (with {@link AtomicCounter.index}) to other threads. */
    readonly view: Int32Array,
    /** Slot of `view` that holds the counter. */
    readonly index: number,
  ) {}

  /**
   * A counter in new shared memory, starting at `initial`; with `{ placement: 'mapped' }` in a
   * /dev/shm segment of its own, so process workers given its `view` count on the same word.
   */
  static create(initial = 0, options: PlacementOptions = {}): AtomicCounter {
    const view = placed(Int32Array, 1, options, 'AtomicCounter.create');
    view[0] = initial;
    return new AtomicCounter(view, 0);
  }

  /** The counter in slot `index` of `view` (any shared Int32Array). */
  static from(view: Int32Array, index = 0): AtomicCounter {
    if (!(view instanceof Int32Array)) throw new SyncMisuseError('AtomicCounter.from expects an Int32Array');
    checkSlot(view, index, 'AtomicCounter');
    return new AtomicCounter(view, index);
  }

  load(): number {
    return Atomics.load(this.view, this.index);
  }

  store(value: number): void {
    Atomics.store(this.view, this.index, value);
  }

  /** Adds `delta` and returns the new value. */
  add(delta: number): number {
    return (Atomics.add(this.view, this.index, delta) + delta) | 0;
  }

  /** Adds `delta` and returns the previous value (as `Atomics.add` does). */
  fetchAdd(delta: number): number {
    return Atomics.add(this.view, this.index, delta);
  }

  /** Adds 1 and returns the new value. */
  increment(): number {
    return this.add(1);
  }

  /** Subtracts 1 and returns the new value. */
  decrement(): number {
    return this.add(-1);
  }

  /** Stores `value` and returns the previous one. */
  exchange(value: number): number {
    return Atomics.exchange(this.view, this.index, value);
  }

  /**
   * Stores `replacement` if the counter holds `expected`. Returns the value found: the swap
   * happened if and only if that equals `expected`.
   */
  compareExchange(expected: number, replacement: number): number {
    return Atomics.compareExchange(this.view, this.index, expected, replacement);
  }

  /** Raises the counter to `value` if it is lower; returns the resulting value. */
  max(value: number): number {
    let seen = this.load();
    while (value > seen) {
      const prev = Atomics.compareExchange(this.view, this.index, seen, value);
      if (prev === seen) return value;
      seen = prev;
    }
    return seen;
  }

  /** Lowers the counter to `value` if it is higher; returns the resulting value. */
  min(value: number): number {
    let seen = this.load();
    while (value < seen) {
      const prev = Atomics.compareExchange(this.view, this.index, seen, value);
      if (prev === seen) return value;
      seen = prev;
    }
    return seen;
  }
}

/**
 * A 64-bit signed atomic counter on a `BigInt64Array`, for counts that outgrow 2^31.
 *
 * @example
 * ```ts
 * const bytes = AtomicBigCounter.create();
 * bytes.add(BigInt(chunk.length));
 * ```
 */
export class AtomicBigCounter {
  private constructor(
    /** The shared memory; pass it (with {@link AtomicBigCounter.index}) to other threads. */
    readonly view: BigInt64Array,
    /** Slot of `view` that holds the counter. */
    readonly index: number,
  ) {}

  /** A counter in new shared memory, starting at `initial`; `placement` as for {@link AtomicCounter.create}. */
  static create(initial: bigint = 0n, options: PlacementOptions = {}): AtomicBigCounter {
    const view = placed(BigInt64Array, 1, options, 'AtomicBigCounter.create');
    view[0] = initial;
    return new AtomicBigCounter(view, 0);
  }

  /** The counter in slot `index` of `view` (any shared BigInt64Array). */
  static from(view: BigInt64Array, index = 0): AtomicBigCounter {
    if (!(view instanceof BigInt64Array)) throw new SyncMisuseError('AtomicBigCounter.from expects a BigInt64Array');
    checkSlot(view, index, 'AtomicBigCounter');
    return new AtomicBigCounter(view, index);
  }

  load(): bigint {
    return Atomics.load(this.view, this.index);
  }

  store(value: bigint): void {
    Atomics.store(this.view, this.index, value);
  }

  /** Adds `delta` and returns the new value. */
  add(delta: bigint): bigint {
    return BigInt.asIntN(64, Atomics.add(this.view, this.index, delta) + delta);
  }

  /** Adds `delta` and returns the previous value. */
  fetchAdd(delta: bigint): bigint {
    return Atomics.add(this.view, this.index, delta);
  }

  /** Adds 1 and returns the new value. */
  increment(): bigint {
    return this.add(1n);
  }

  /** Subtracts 1 and returns the new value. */
  decrement(): bigint {
    return this.add(-1n);
  }

  /** Stores `value` and returns the previous one. */
  exchange(value: bigint): bigint {
    return Atomics.exchange(this.view, this.index, value);
  }

  /** Stores `replacement` if the counter holds `expected`; returns the value found. */
  compareExchange(expected: bigint, replacement: bigint): bigint {
    return Atomics.compareExchange(this.view, this.index, expected, replacement);
  }

  /** Raises the counter to `value` if it is lower; returns the resulting value. */
  max(value: bigint): bigint {
    let seen = this.load();
    while (value > seen) {
      const prev = Atomics.compareExchange(this.view, this.index, seen, value);
      if (prev === seen) return value;
      seen = prev;
    }
    return seen;
  }
}
