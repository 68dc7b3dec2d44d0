/**
 * Loader for weft's own native addon (native/src/*.cc), which maps /dev/shm segments as
 * SharedArrayBuffers and exposes the Linux futex. Loaded lazily: a program that never touches
 * mapped memory or the futex never needs the addon to be built.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** Result of a futex wait, named like `Atomics.wait`'s results. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** The addon's raw surface. Arguments are validated in C++ too, but callers here validate first. */
export interface NativeAddon {
  create(name: string, byteLength: number): SharedArrayBuffer;
  open(name: string): SharedArrayBuffer;
  unlink(name: string): void;
  /** Name of the segment whose mapping holds `buffer`'s memory, or undefined. Process-wide. */
  segmentOf(buffer: SharedArrayBuffer): string | undefined;
  /** Number of live mappings in this process (all threads). */
  mappingCount(): number;
  /** Remembers `name` as owned by this process, so `unlinkOwned` removes it. */
  own(name: string): void;
  /** Forgets ownership of `name` (after an explicit unlink). */
  disown(name: string): void;
  /** Unlinks every owned segment; returns how many names were removed. */
  unlinkOwned(): number;
  futexWait(view: Int32Array, index: number, expected: number, timeoutMs: number): WaitResult;
  futexWake(view: Int32Array, index: number, count: number): number;
  futexWaitAsync(view: Int32Array, index: number, expected: number, timeoutMs: number): Promise<WaitResult>;
}

/** The command that builds the addon, quoted in errors. */
export const BUILD_COMMAND = 'npm run build:native  (i.e. node-gyp rebuild -C native)';

// src/shared/native.ts and dist/shared/native.js both sit two levels below the package root.
const here = dirname(fileURLToPath(import.meta.url));
/** Absolute path of the built addon. */
export const ADDON_PATH = resolve(here, '..', '..', 'native', 'build', 'Release', 'weft_native.node');

let cached: NativeAddon | undefined;
let loadError: Error | undefined;

/** Loads the addon or throws an error that says how to build it. */
export function native(): NativeAddon {
  if (cached) return cached;
  if (loadError) throw loadError;
  try {
    const require = createRequire(import.meta.url);
    cached = require(ADDON_PATH) as NativeAddon;
    return cached;
  } catch (cause) {
    loadError = new Error(
      `weft: the native addon for mapped shared memory and futexes is not available at ${ADDON_PATH}` +
        ` (${(cause as Error).message}). Build it with: ${BUILD_COMMAND}`,
      { cause },
    );
    throw loadError;
  }
}

/** The addon if it is (or can be) loaded, else undefined; never throws. */
export function tryNative(): NativeAddon | undefined {
  try {
    return native();
  } catch {
    return undefined;
  }
}

/** True once the addon has been loaded in this JavaScript realm. */
export function nativeLoaded(): boolean {
  return cached !== undefined;
}
