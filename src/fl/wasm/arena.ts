/**
 * One instance of the wasm kernels with its own memory, and a bump allocator over that memory.
 *
 * The memory is a shared `WebAssembly.Memory`, so its buffer is a SharedArrayBuffer: another thread can be
 * handed `memory` and read or write the same floats. The kernels themselves are single-threaded; one arena
 * belongs to one model instance, which is not re-entrant anyway.
 */
import { wasmApi, type WasmMemory } from './api.js';
import { kernelModule, type KernelExports } from './loader.js';
import { FlArgumentError } from '../errors.js';

const PAGE = 65536;
/** Matches the maximum declared by kernels.wat (4 GiB of 64 KiB pages). */
const MAX_PAGES = 65536;

/** Byte offset of an f32 (or i32) buffer inside an arena's memory. */
export type Ptr = number;

/** A kernels instance over its own growable shared memory. */
export class WasmArena {
  readonly memory: WasmMemory;
  readonly k: KernelExports;
  /** Views of the whole memory, refreshed whenever it grows. */
  f32!: Float32Array;
  i32!: Int32Array;
  private top = 0;

  constructor() {
    const mod = kernelModule();
    if (mod === null) throw new FlArgumentError('WasmArena: the wasm kernels are unavailable');
    const api = wasmApi!; // kernelModule() returned a module, so the API exists
    this.memory = new api.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.k = new api.Instance(mod, { env: { memory: this.memory } }).exports as KernelExports;
    this.reset();
  }

  /** Frees everything (previous pointers become invalid). Byte 0..63 stay unused so that pointer 0 means none. */
  reset(): void {
    this.top = 64;
    this.refreshViews();
  }

  /**
   * Reserves `count` 4-byte elements, 64-byte aligned (a cache line, so SIMD rows of a buffer never straddle one
   * needlessly), plus 16 spare bytes because `gather` writes one element past its result.
   */
  alloc(count: number): Ptr {
    const ptr = this.top;
    this.top = ptr + ((count * 4 + 16 + 63) & ~63);
    const need = Math.ceil(this.top / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (need > have) {
      this.memory.grow(need - have);
      this.refreshViews();
    }
    return ptr;
  }

  /** A Float32Array over `count` floats at `ptr`. Valid until the next {@link reset}. */
  floats(ptr: Ptr, count: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, count);
  }

  private refreshViews(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }
}
