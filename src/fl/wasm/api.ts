/**
 * The slice of the WebAssembly JavaScript API the kernels use, typed here because the project's ES-only `lib`
 * (no DOM) has no WebAssembly declarations, and a global declaration could clash with one added later.
 */

/** A compiled module. */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A linear memory; with `shared`, `buffer` is a SharedArrayBuffer. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The engine's WebAssembly object, or undefined where there is none. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
