/**
 * Loader for weft's own native addon (native/src/*.c, on Node-API), which maps /dev/shm segments
 * as SharedArrayBuffers and exposes the Linux futex. One binary serves every Node version: the
 * package ships a prebuilt linux-x64 (glibc) binary, and the install script builds from source
 * only when that one does not load. Loaded lazily: a program that never touches mapped memory or
 * the futex never needs the addon, and everything else works where it cannot load.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { WeftError } from './errors.js';
import { SharedErrorCode } from './argument-error.js';

/** Result of a futex wait, named like `Atomics.wait`'s results. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/**
 * How the addon turns a mapping into a SharedArrayBuffer: `'external'` hands the mapped pages to
 * V8 (Node-API's `node_api_create_external_sharedarraybuffer`: Node 22.23+, 24.16+, 26.1+);
 * `'remap'` maps the file over the pages of a shared `WebAssembly.Memory` (older Nodes, Node 20
 * among them; at most 4 GiB per segment, and buffers are rounded up to 64 KiB).
 */
export type BufferPath = 'external' | 'remap';

/** The addon's raw surface. Arguments are validated in C too, but callers here validate first. */
export interface NativeAddon {
  /**
   * A new segment, owned by this process (see `own`); the buffer may be longer than `byteLength`
   * (see {@link BufferPath}).
   */
  create(name: string, byteLength: number): SharedArrayBuffer;
  open(name: string): SharedArrayBuffer;
  unlink(name: string): void;
  /** Name of the segment whose mapping holds `view`'s memory, or undefined. Process-wide. */
  segmentOf(view: ArrayBufferView): string | undefined;
  /** Number of mappings in this process (all threads); may count some already released. */
  mappingCount(): number;
  /**
   * Remembers `name` as owned by this process, so `unlinkOwned` removes it, and takes its owner
   * lock. `create` already does both for the segments it makes.
   */
  own(name: string): void;
  /** Forgets ownership of `name` and drops its owner lock (before an explicit unlink). */
  disown(name: string): void;
  /** Unlinks every owned segment (dropping their owner locks); returns how many names were removed. */
  unlinkOwned(): number;
  /**
   * Whether a live process holds the owner lock of segment `name` (every owned segment has one:
   * create() takes it, disown/unlink drop it): 1 yes, 0 no, -1 cannot tell (no such file, or
   * another user's).
   */
  ownerHeld(name: string): number;
  futexWait(view: Int32Array, index: number, expected: number, timeoutMs: number): WaitResult;
  futexWake(view: Int32Array, index: number, count: number): number;
  futexWaitAsync(view: Int32Array, index: number, expected: number, timeoutMs: number): Promise<WaitResult>;
  readonly bufferPath: BufferPath;
  /** This thread's liveness token (allocated on first call, never 0); see liveness.ts. */
  liveToken(): number;
  /** 1 when the thread behind `token` lives, 0 when it is dead, -1 when that cannot be told. */
  liveCheck(token: number): number;
  /**
   * prctl(PR_SET_PDEATHSIG, signal) for this process, then checks that the parent is still
   * `expectedParentPid` (it may have died before the call). Returns false if it had already died.
   */
  setParentDeathSignal(signal: number, expectedParentPid: number): boolean;
  /** The sum of `view[lo..hi)` in C: the study's memory read probe (bench/probe). */
  readFloat64(view: Float64Array, lo: number, hi: number): number;
}

// src/shared/native.ts and dist/shared/native.js both sit two levels below the package root.
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The folder node-gyp-build searches: native/build/Release, then native/prebuilds/<platform>-<arch>. */
export const ADDON_DIR = resolve(packageRoot, 'native');

/** The package's name, read when an error needs it (every process worker imports this module). */
function packageName(): string {
  try {
    const manifest = process.getBuiltinModule('node:fs').readFileSync(resolve(packageRoot, 'package.json'), 'utf8');
    return (JSON.parse(manifest) as { name: string }).name;
  } catch {
    return 'weft';
  }
}

/** The command that builds the addon from source, quoted in errors. */
export function buildCommand(): string {
  return `npm rebuild ${packageName()}  (needs python3, make and a C compiler; in weft's own checkout: npm run build:native)`;
}

/**
 * Thrown when something needs weft's native addon (a `placement: 'mapped'` array, a primitive in
 * mapped memory, a cross-process wait) and the addon cannot be loaded here. Everything else in
 * weft works without it. `reason` says why; the message says what to do.
 */
export class NativeUnavailableError extends WeftError {
  declare readonly code: typeof SharedErrorCode.NativeUnavailable;
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      SharedErrorCode.NativeUnavailable,
      `weft: mapped shared memory and cross-process waits need weft's native addon, which is not available: ${reason}`,
      options,
    );
  }
}

/**
 * Why the addon is unavailable. `given` is the file named by {@link useAddonAt} when it did not load
 * either: its error becomes the `cause` (it is the file the parent process or thread loaded, so why
 * it fails here says more than the search does), and the search's failure stays in the message.
 */
function unavailable(cause: unknown, given?: { path: string; error: unknown }): NativeUnavailableError {
  if (process.platform !== 'linux') {
    return new NativeUnavailableError(
      `it is Linux-only (/dev/shm and the futex), and this is ${process.platform}. ` +
        `Share memory with thread workers instead (placement: 'memory', the default).`,
      { cause },
    );
  }
  const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0];
  const also = given ? `; ${given.path}, the file this worker was handed, did not load either: ${firstLine(given.error)}` : '';
  return new NativeUnavailableError(
    `no prebuilt binary loads on this machine (${process.platform}-${process.arch}, ${firstLine(cause)}${also}) and none was built ` +
      `from source. Build it with: ${buildCommand()}`,
    { cause: given ? given.error : cause },
  );
}

let cached: NativeAddon | undefined;
let cachedPath: string | undefined;
let loadError: NativeUnavailableError | undefined;
let givenPath: string | undefined;

/**
 * Names the file the next load of the addon in this realm tries first: a worker passes the one its
 * parent loaded (see {@link loadedAddonPath}), which spares it node-gyp-build's search. If that
 * file does not load, the search runs as usual. No effect once the addon is loaded; undefined
 * forgets a path given before.
 */
export function useAddonAt(path: string | undefined): void {
  givenPath = path === undefined ? undefined : resolve(path);
}

/** The absolute path of the file the addon was loaded from in this realm, or undefined before it is loaded. */
export function loadedAddonPath(): string | undefined {
  return cachedPath;
}

/** node-gyp-build: loads the addon found in a folder (where the runtime resolves addons itself, that is all it has). */
interface NodeGypBuild {
  (dir: string): NativeAddon;
  /** The file it would load from `dir`: build/Release, build/Debug, then prebuilds/<platform>-<arch>. */
  resolve?: (dir: string) => string;
}

/** Loads the addon or throws a {@link NativeUnavailableError} that says why and what to do. */
export function native(): NativeAddon {
  if (cached) return cached;
  if (loadError) throw loadError;
  if (process.platform !== 'linux') {
    loadError = unavailable(new Error('not Linux'));
    throw loadError;
  }
  const require = createRequire(import.meta.url);
  let givenError: unknown;
  if (givenPath !== undefined) {
    try {
      cached = require(givenPath) as NativeAddon;
      cachedPath = givenPath;
      return cached;
    } catch (error) {
      givenError = error;
    }
  }
  try {
    const load = require('node-gyp-build') as NodeGypBuild;
    if (typeof load.resolve === 'function') {
      const file = load.resolve(ADDON_DIR);
      cached = require(file) as NativeAddon;
      cachedPath = file;
    } else {
      cached = load(ADDON_DIR);
    }
  } catch (searchError) {
    loadError = givenError === undefined ? unavailable(searchError) : unavailable(searchError, { path: givenPath!, error: givenError });
    throw loadError;
  }
  return cached;
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
