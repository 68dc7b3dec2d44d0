/**
 * Atomic counters over shared memory: a 32-bit one and a 64-bit (bigint) one. They are plain
 * words, with no header, so they can also sit in any slot of an existing shared typed array.
 *
 * Both are one generic counter, {@link AtomicWord}, over their word type; each adds only what
 * differs: its element type, how `add` wraps, and its `create`/`from`.
 */
import { SyncMisuseError } from './errors.js';
import { placed, type PlacementOptions } from './layout.js';

type WordArray = Int32Array | BigInt64Array;
type WordArrayCtor = Int32ArrayConstructor | BigInt64ArrayConstructor;

/**
 * `Atomics` as seen from a counter whose values are `T`. A cast only: every call below still
 * compiles to a plain `Atomics.*` call on the instance's own typed array.
 */
interface AtomicsOf<T> {
  load(view: WordArray, index: number): T;
  store(view: WordArray, index: number, value: T): T;
  add(view: WordArray, index: number, delta: T): T;
  exchange(view: WordArray, index: number, value: T): T;
  compareExchange(view: WordArray, index: number, expected: T, replacement: T): T;
}

/** A new one-word shared array of type `type` holding `initial`. */
function createWord<C extends WordArrayCtor>(type: C, initial: InstanceType<C>[number], options: PlacementOptions, name: string): InstanceType<C> {
  const view = placed(type, 1, options, `${name}.create`);
  view[0] = initial;
  return view;
}

/** Checks that `view` is a `type` with a slot `index`, for `name.from`. */
function checkSlot(view: WordArray, type: WordArrayCtor, index: number, name: string): void {
  if (!(view instanceof type)) {
    throw new SyncMisuseError(`${name}.from expects ${type === Int32Array ? 'an' : 'a'} ${type.name}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= view.length) {
    throw new SyncMisuseError(`${name}.from: index ${index} is outside [0, ${view.length})`);
  }
}

/**
 * The generic atomic counter: one word `view[index]` holding a `T`. Not exported from the
 * package; use {@link AtomicCounter} or {@link AtomicBigCounter}.
 */
export abstract class AtomicWord<V extends WordArray, T extends number | bigint> {
  protected constructor(
    /** The shared memory; pass it (with `index`) to other threads. */
    readonly view: V,
    /** Slot of `view` that holds the counter. */
    readonly index: number,
    /** 1 in the counter's value type, for `increment` and `decrement`. */
    private readonly one: T,
    /** -1 in the counter's value type. */
    private readonly minusOne: T,
  ) {}

  /** Adds `delta` and returns the new value, wrapped to the word's width. */
  abstract add(delta: T): T;

  load(): T {
    return (Atomics as unknown as AtomicsOf<T>).load(this.view, this.index);
  }

  store(value: T): void {
    (Atomics as unknown as AtomicsOf<T>).store(this.view, this.index, value);
  }

  /** Adds `delta` and returns the previous value (as `Atomics.add` does). */
  fetchAdd(delta: T): T {
    return (Atomics as unknown as AtomicsOf<T>).add(this.view, this.index, delta);
  }

  /** Adds 1 and returns the new value. */
  increment(): T {
    return this.add(this.one);
  }

  /** Subtracts 1 and returns the new value. */
  decrement(): T {
    return this.add(this.minusOne);
  }

  /** Stores `value` and returns the previous one. */
  exchange(value: T): T {
    return (Atomics as unknown as AtomicsOf<T>).exchange(this.view, this.index, value);
  }

  /**
   * Stores `replacement` if the counter holds `expected`. Returns the value found: the swap
   * happened if and only if that equals `expected`.
   */
  compareExchange(expected: T, replacement: T): T {
    return (Atomics as unknown as AtomicsOf<T>).compareExchange(this.view, this.index, expected, replacement);
  }

  /** Raises the counter to `value` if it is lower; returns the resulting value. */
  max(value: T): T {
    return this.moveTo(value, true);
  }

  /** Moves the counter to `value` if that is above it (`up`) or below it; returns the resulting value. */
  protected moveTo(value: T, up: boolean): T {
    let seen = this.load();
    while (up ? value > seen : value < seen) {
      const prev = this.compareExchange(seen, value);
      if (prev === seen) return value;
      seen = prev;
    }
    return seen;
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
export class AtomicCounter extends AtomicWord<Int32Array, number> {
  private constructor(view: Int32Array, index: number) {
    super(view, index, 1, -1);
  }

  /**
   * A counter in new shared memory, starting at `initial`; with `{ placement: 'mapped' }` in a
   * /dev/shm segment of its own, so process workers given its `view` count on the same word.
   */
  static create(initial = 0, options: PlacementOptions = {}): AtomicCounter {
    return new AtomicCounter(createWord(Int32Array, initial, options, 'AtomicCounter'), 0);
  }

  /** The counter in slot `index` of `view` (any shared Int32Array). */
  static from(view: Int32Array, index = 0): AtomicCounter {
    checkSlot(view, Int32Array, index, 'AtomicCounter');
    return new AtomicCounter(view, index);
  }

  /** Adds `delta` and returns the new value. */
  add(delta: number): number {
    return (Atomics.add(this.view, this.index, delta) + delta) | 0;
  }

  /** Lowers the counter to `value` if it is higher; returns the resulting value. */
  min(value: number): number {
    return this.moveTo(value, false);
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
export class AtomicBigCounter extends AtomicWord<BigInt64Array, bigint> {
  private constructor(view: BigInt64Array, index: number) {
    super(view, index, 1n, -1n);
  }

  /** A counter in new shared memory, starting at `initial`; `placement` as for {@link AtomicCounter.create}. */
  static create(initial: bigint = 0n, options: PlacementOptions = {}): AtomicBigCounter {
    return new AtomicBigCounter(createWord(BigInt64Array, initial, options, 'AtomicBigCounter'), 0);
  }

  /** The counter in slot `index` of `view` (any shared BigInt64Array). */
  static from(view: BigInt64Array, index = 0): AtomicBigCounter {
    checkSlot(view, BigInt64Array, index, 'AtomicBigCounter');
    return new AtomicBigCounter(view, index);
  }

  /** Adds `delta` and returns the new value. */
  add(delta: bigint): bigint {
    return BigInt.asIntN(64, Atomics.add(this.view, this.index, delta) + delta);
  }
}
