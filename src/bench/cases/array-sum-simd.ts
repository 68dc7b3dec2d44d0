/**
 * The array-sum case's second road: the same 0..N-1 array summed with WebAssembly SIMD (array-sum.wat), to show
 * what memory allows next to the talk's plain loop. WebAssembly reads only its own linear memory, so this
 * array lives in a shared `WebAssembly.Memory`: its buffer is a SharedArrayBuffer like any other, and worker
 * threads receive the memory by reference, no copy. At most 4 GiB (wasm32), which the full size fits.
 */
import { readFileSync } from 'node:fs';
import { wasmApi, type WasmMemory, type WasmModule } from '../../fl/wasm/api.js';

const PAGE_BYTES = 65_536;

let compiled: WasmModule | undefined;

/** Why the SIMD sum cannot run in this process, or undefined when it can. */
export function simdUnavailable(): string | undefined {
  if (!wasmApi) return 'this runtime has no WebAssembly';
  try {
    compiled ??= new wasmApi.Module(readFileSync(new URL('./array-sum.wasm', import.meta.url)));
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'array-sum.wasm is not built (run: node scripts/build-wasm.mjs)' : `array-sum.wasm does not load: ${(error as Error).message}`;
  }
}

/** A Float64Array of `n` elements at the start of a new shared WebAssembly memory of just the pages it needs. */
export function wasmFloat64Array(n: number): { memory: WasmMemory; array: Float64Array } {
  const reason = simdUnavailable();
  if (reason) throw new Error(`weft bench: the SIMD array sum cannot run: ${reason}`);
  const pages = Math.max(1, Math.ceil((n * 8) / PAGE_BYTES));
  const memory = new wasmApi!.Memory({ initial: pages, maximum: pages, shared: true });
  return { memory, array: new Float64Array(memory.buffer, 0, n) };
}

/**
 * Sums elements lo..hi-1 of a memory made by {@link wasmFloat64Array}. Each call instantiates the (compiled,
 * cached) module over the memory it was handed: a few microseconds beside a slice of millions of elements.
 */
export function simdSum(memory: WasmMemory, lo: number, hi: number): number {
  const reason = simdUnavailable();
  if (reason) throw new Error(`weft bench: the SIMD array sum cannot run: ${reason}`);
  const instance = new wasmApi!.Instance(compiled!, { env: { memory } });
  return (instance.exports as { sum(lo: number, hi: number): number }).sum(lo, hi);
}
