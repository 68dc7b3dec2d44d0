/**
 * Where the simulator's shared arrays live. This is the one place the backends differ: threads (and the
 * sequential baseline) share plain SharedArrayBuffers, process workers need /dev/shm segments they can map by
 * name. Everything else in the simulator is backend-agnostic.
 */
import { dispose, sharedArray, type Placement, type TypedArrayConstructor } from '../../shared/index.js';
import type { SimBackend } from './config.js';

/** The placement a backend needs for the arrays its workers read and write. */
export function placementFor(backend: SimBackend): Placement {
  return backend === 'process' ? 'mapped' : 'memory';
}

/**
 * Allocates shared arrays of one placement and releases them together. Mapped segments are unlinked by
 * {@link SharedArena.release}, so a finished (or failed) run leaves nothing in /dev/shm.
 */
export class SharedArena {
  private readonly arrays: ArrayBufferView[] = [];

  constructor(readonly placement: Placement) {}

  /** A zero-filled shared array of `length` elements. */
  allocate<C extends TypedArrayConstructor>(type: C, length: number): InstanceType<C> {
    const array = sharedArray(type, length, { placement: this.placement });
    this.arrays.push(array);
    return array;
  }

  /** Unlinks every mapped segment (views already handed out stay valid until collected). Idempotent. */
  release(): void {
    for (const array of this.arrays.splice(0)) dispose(array);
  }
}
