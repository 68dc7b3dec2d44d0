/**
 * Large typed arrays passed to a thread worker without a transfer list are copied once and the copy is
 * transferred, instead of being serialised by the pool's thread and deserialised again by the worker: the
 * worker receives the same values in a buffer of its own (what a copy means), for one memory copy instead of two.
 *
 * Only arguments whose result is indistinguishable from a structured clone qualify: a standard typed array
 * (not a subclass such as Buffer) that spans its whole ArrayBuffer, at least {@link COPY_ONCE_MIN_BYTES} long,
 * whose buffer is not shared and not in the call's own transfer list. The same array twice in one batch
 * becomes one copy, as a structured clone keeps identity within a message. Only the arguments themselves are
 * looked at (and a map's items), not arrays nested inside objects.
 */
import type { Transferable } from './protocol.js';

/** Below this, a copy's allocation and transfer cost more than serialising does. */
export const COPY_ONCE_MIN_BYTES = 64 * 1024;

const STANDARD = new Set<object>(
  [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((c) => c.prototype),
);

type AnyTypedArray = Float64Array | BigInt64Array | Uint8Array;

/** The copies made for one batch; reused from batch to batch. */
export class CopyOnce {
  private copies: Map<unknown, AnyTypedArray> | undefined;
  private buffers: Transferable[] = [];

  /** Starts a new batch (free when the last one copied nothing, as nearly every batch does). */
  reset(): void {
    if (this.buffers.length === 0) return;
    this.copies!.clear();
    this.buffers = [];
  }

  /** `args` with every qualifying array replaced by its copy (the same `args` if none qualifies). */
  apply(args: unknown[], ownTransfer: readonly Transferable[] | undefined): unknown[] {
    let out: unknown[] | undefined;
    for (let i = 0; i < args.length; i++) {
      const value = args[i];
      if (!qualifies(value, ownTransfer)) continue;
      const copies = (this.copies ??= new Map());
      let copy = copies.get(value);
      if (copy === undefined) {
        copy = (value as AnyTypedArray).slice();
        copies.set(value, copy);
        this.buffers.push(copy.buffer as ArrayBuffer);
      }
      (out ??= args.slice())[i] = copy;
    }
    return out ?? args;
  }

  /** The copies' buffers, to transfer with the batch. */
  transfers(): Transferable[] {
    return this.buffers;
  }
}

function qualifies(value: unknown, ownTransfer: readonly Transferable[] | undefined): boolean {
  if (!ArrayBuffer.isView(value) || !STANDARD.has(Object.getPrototypeOf(value))) return false;
  const view = value as AnyTypedArray;
  const buffer = view.buffer;
  if (view.byteLength < COPY_ONCE_MIN_BYTES || view.byteOffset !== 0 || view.byteLength !== buffer.byteLength) return false;
  if (!(buffer instanceof ArrayBuffer)) return false; // shared memory travels without a copy anyway
  if ((buffer as { resizable?: boolean }).resizable) return false; // a clone keeps it resizable; a slice would not
  return !ownTransfer?.includes(buffer);
}
