/**
 * Loads the WebAssembly SIMD kernels (kernels.wasm, assembled from kernels.wat by scripts/build-wasm.mjs) once per
 * thread, synchronously, so models can be created synchronously.
 *
 * Which kernels a process uses is decided here, once, from facts that are the same in every thread and child
 * process of a run: the `WEFT_FL_KERNELS` environment variable (`wasm`, `js` or `auto`, the default), whether the
 * engine supports WebAssembly SIMD and whether kernels.wasm was built. Results are bit-identical across threads
 * and processes for a given choice; the wasm and JS kernels differ in float32 rounding (JS sums in float64).
 */
import { readFileSync } from 'node:fs';
import { wasmApi, type WasmModule } from './api.js';
import { FlArgumentError } from '../errors.js';

/** The functions kernels.wat exports. Pointers are byte offsets into the instance's memory; see the .wat. */
export interface KernelExports {
  gather(x: number, xstride: number, len: number, base: number, rstride: number, val: number, idx: number, nnz: number): number;
  spmv(val: number, idx: number, nnz: number, col: number, bias: number, out: number, n: number): void;
  rowsdot(w: number, rows: number, cols: number, v: number, nv: number, vstride: number, out: number, ostride: number): void;
  vadd(dst: number, src: number, len: number): void;
  sgd(w: number, g: number, len: number, lr: number): void;
  relu(x: number, y: number, len: number): void;
  relumask(y: number, dy: number, dx: number, len: number): void;
  outer(x: number, inSize: number, n: number, dy: number, outSize: number, gw: number, val: number, idx: number): void;
}

/** Which kernels the models use in this process. */
export type KernelChoice = 'wasm' | 'js';

/** Smallest module using a v128 instruction: validates only where WebAssembly SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let compiled: WasmModule | null | undefined;
let reason = '';

/** True when this engine validates WebAssembly SIMD (Node 20 on x86_64 and arm64 always does). */
export function simdSupported(): boolean {
  return wasmApi !== undefined && wasmApi.validate(SIMD_PROBE);
}

/** The compiled kernels module, or null (with {@link kernelUnavailableReason}) where it cannot be used. */
export function kernelModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (!simdSupported()) {
    reason = 'this engine does not support WebAssembly SIMD';
    return null;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(new URL('./kernels.wasm', import.meta.url));
  } catch {
    reason = 'kernels.wasm is not built (run: node scripts/build-wasm.mjs)';
    return null;
  }
  compiled = new wasmApi!.Module(bytes);
  return compiled;
}

/** Why {@link kernelModule} returned null ('' if it did not). */
export function kernelUnavailableReason(): string {
  kernelModule();
  return reason;
}

/**
 * The kernels this process's float32 models use: `WEFT_FL_KERNELS=js` forces JavaScript, `=wasm` requires
 * WebAssembly (and throws if it is unavailable), unset or `auto` takes wasm whenever it is available.
 */
export function kernelChoice(): KernelChoice {
  const env = process.env.WEFT_FL_KERNELS ?? 'auto';
  if (env === 'js') return 'js';
  if (env !== 'wasm' && env !== 'auto') {
    throw new FlArgumentError(`WEFT_FL_KERNELS must be wasm, js or auto, got '${env}'`);
  }
  if (kernelModule() !== null) return 'wasm';
  if (env === 'wasm') throw new FlArgumentError(`WEFT_FL_KERNELS=wasm but ${reason}`);
  return 'js';
}
