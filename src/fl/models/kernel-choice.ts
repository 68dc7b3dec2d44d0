/** Which kernels a model instance runs, from its options and the process-wide choice. */
import { kernelChoice, type KernelChoice } from '../wasm/loader.js';
import type { FloatArrayCtor } from './types.js';

/**
 * True when a model with these options should run the wasm kernels: float32 only (the float64 models exist for
 * gradient checks), then the explicit option, then the process-wide {@link kernelChoice}.
 */
export function useWasm(options: { readonly floatType?: FloatArrayCtor; readonly kernels?: KernelChoice }): boolean {
  if ((options.floatType ?? Float32Array) !== Float32Array) return false;
  return (options.kernels ?? kernelChoice()) === 'wasm';
}
