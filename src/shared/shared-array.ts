/**
 * Typed arrays in shared memory.
 *
 * Two placements:
 * - `'memory'`: a plain `SharedArrayBuffer`. Shared with worker threads by postMessage (no copy)
 *   and usable inline; a child process cannot see it.
 * - `'mapped'`: a named /dev/shm segment mapped by weft's native addon, still exposed as a real
 *   `SharedArrayBuffer` (so threads and `Atomics` work on it). Process workers map the same
 *   pages by name (see handle.ts), so every backend shares it without copying.
 */
import { createSegment, forgetSegment, unlinkSegment } from './segment.js';
import { nativeLoaded, native } from './native.js';
import { TYPED_ARRAYS, typedArrayName, type SharedTypedArray, type TypedArrayConstructor } from './types.js';
import { SharedArgumentError } from './argument-error.js';

/** Where a shared array's memory lives. */
export type Placement = 'memory' | 'mapped';

/** Options for {@link sharedArray}. */
export interface SharedArrayOptions {
  /** Default 'memory'. Use 'mapped' when process workers must see the array. */
  placement?: Placement;
}

/**
 * Creates a zero-filled `length`-element typed array of kind `type` in shared memory.
 * The result is an ordinary typed array; pass it to tasks as an argument.
 *
 * @example
 * const xs = sharedArray(Float64Array, 100_000_000, { placement: 'mapped' }); // 800 MB
 */
export function sharedArray<C extends TypedArrayConstructor>(
  type: C,
  length: number,
  options: SharedArrayOptions = {},
): InstanceType<C> {
  if (!isTypedArrayConstructor(type)) {
    throw new SharedArgumentError('sharedArray', 'type', `must be a numeric TypedArray constructor (${Object.keys(TYPED_ARRAYS).join(', ')}), got ${String((type as { name?: string })?.name ?? type)}`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new SharedArgumentError('sharedArray', 'length', `must be a non-negative integer, got ${length}`);
  }
  const placement = options.placement ?? 'memory';
  const byteLength = length * type.BYTES_PER_ELEMENT;
  let buffer: SharedArrayBuffer;
  if (placement === 'memory') buffer = new SharedArrayBuffer(byteLength);
  else if (placement === 'mapped') buffer = createSegment(byteLength).buffer;
  else throw new SharedArgumentError('sharedArray', 'options.placement', `must be 'memory' or 'mapped', got ${String(placement)}`);
  return viewOf(type, buffer, 0, length);
}

/** A numeric TypedArray constructor, or a subclass of one. */
function isTypedArrayConstructor(type: unknown): boolean {
  if (typeof type !== 'function') return false;
  try {
    return typedArrayName(new (type as new (n: number) => unknown)(0)) !== undefined;
  } catch {
    return false; // not constructible at all
  }
}

/** `new type(buffer, byteOffset, length)`, typed for a union of constructors. */
export function viewOf<C extends TypedArrayConstructor>(
  type: C,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): InstanceType<C> {
  const ctor = type as unknown as new (b: ArrayBufferLike, o: number, l: number) => InstanceType<C>;
  return new ctor(buffer, byteOffset, length);
}

/** Creates a shared array holding a copy of `source`. */
export function sharedArrayFrom<C extends TypedArrayConstructor>(
  type: C,
  source: ArrayLike<number> | ArrayLike<bigint>,
  options: SharedArrayOptions = {},
): InstanceType<C> {
  const array = sharedArray(type, source.length, options);
  (array as unknown as { set(s: unknown): void }).set(source);
  return array;
}

/** The name of the /dev/shm segment behind `array`, or undefined if it is not mapped. */
export function segmentOf(array: ArrayBufferView): string | undefined {
  if (!(array.buffer instanceof SharedArrayBuffer) || !nativeLoaded()) return undefined;
  return native().segmentOf(array);
}

/** Where `array`'s memory lives, or undefined when it is not shared memory at all. */
export function placementOf(array: ArrayBufferView): Placement | undefined {
  if (!(array.buffer instanceof SharedArrayBuffer)) return undefined;
  return segmentOf(array) === undefined ? 'memory' : 'mapped';
}

/**
 * Releases a shared array's name. For a mapped array created by this thread this removes the
 * /dev/shm segment now, so nothing is left behind whatever happens next; arrays already
 * handed out (here or in workers) stay valid, and the memory is returned once every view is
 * garbage-collected in every process. For a 'memory' array there is nothing to release early.
 * Idempotent; does nothing for arrays this thread did not create.
 */
export function dispose(array: ArrayBufferView): void {
  const name = segmentOf(array);
  if (name === undefined) return;
  forgetSegment(name);
  unlinkSegment(name);
}

/** A shared array that can be released with `using` (or {@link SharedArray.dispose}). */
export class SharedArray<T extends SharedTypedArray = SharedTypedArray> implements Disposable {
  /** The typed array itself. */
  readonly array: T;

  constructor(array: T) {
    this.array = array;
  }

  /** See the free function {@link dispose}. Idempotent. */
  dispose(): void {
    dispose(this.array);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Like {@link sharedArray}, wrapped for `using`:
 * @example
 * using shared = disposableSharedArray(Int32Array, 1024, { placement: 'mapped' });
 * shared.array[0] = 1; // the segment is removed when the block exits
 */
export function disposableSharedArray<C extends TypedArrayConstructor>(
  type: C,
  length: number,
  options: SharedArrayOptions = {},
): SharedArray<InstanceType<C>> {
  return new SharedArray(sharedArray(type, length, options));
}
