/**
 * The common shape of every primitive's state: an Int32Array whose word 0 is a header naming
 * the kind of primitive and its flags, followed by the primitive's own words and, when stats are
 * on, a {@link StatsBlock}.
 *
 * The header lets `X.from(view)` reject state that belongs to another primitive or was never
 * initialised (zeroed memory), instead of misbehaving later.
 */
import { sharedArray, type Placement } from '../shared/shared-array.js';
import { SyncMisuseError } from './errors.js';
import { STATS_WORDS, StatsBlock } from './stats.js';
import { waiterFor, type Waiter } from './waiter.js';

/** Kinds of primitive, as stored in the header. */
export const Kind = {
  Mutex: 1,
  Semaphore: 2,
  Barrier: 3,
  Condition: 4,
  Event: 5,
} as const;
export type KindName = keyof typeof Kind;

const MAGIC = 0x5746; // "WF"
const FLAG_STATS = 1;
// An extension block follows the base words (before any stats); its first word is its length in
// words (even, so stats stay 8-byte aligned). A Semaphore's holder table lives there.
const FLAG_EXT = 2;

/** Where a primitive (or counter) created in memory of its own lives; see {@link CreateOptions.placement}. */
export interface PlacementOptions {
  /**
   * `'memory'` (default): a fresh SharedArrayBuffer, shared with worker threads (and inline).
   * `'mapped'`: a /dev/shm segment of its own (one page), so that process workers given its state
   * share it too, and waits on it go through the futex. Needs weft's native addon (Linux); the
   * segment is removed when this process exits, or earlier by `dispose(x.state)` (`dispose(x.view)`
   * for a counter), after which workers that already have it keep using it.
   */
  placement?: Placement;
}

/** Options every primitive accepts at creation. */
export interface CreateOptions extends PlacementOptions {
  /**
   * Memory to initialise the primitive in, instead of a fresh SharedArrayBuffer: e.g. a slice of
   * a weft mapped segment, to share the primitive with other processes. It must hold
   * `X.byteLength(options)` bytes at an 8-byte aligned offset; its previous content is replaced.
   * Many primitives can share one segment this way; `placement` does the same with a segment each.
   * Give `memory` or `placement`, not both.
   */
  memory?: Int32Array;
  /** Record contention statistics (locks and semaphores only). Default false. */
  stats?: boolean;
}

/** A primitive's view of its state, resolved once when created or attached. */
export interface Attached {
  readonly view: Int32Array;
  readonly waiter: Waiter;
  readonly stats: StatsBlock | null;
  /** The extension block (its word 0 is its length), or null when the primitive has none. */
  readonly ext: Int32Array | null;
}

/**
 * Int32 words a primitive with `base` words takes (base is even, so stats stay aligned), with an
 * extension block of `ext` words (even, 0 for none).
 */
export function wordsFor(base: number, stats: boolean, ext = 0): number {
  return base + ext + (stats ? STATS_WORDS : 0);
}

/**
 * Allocates (or takes `options.memory`) and writes the header. With `ext` > 0 words (even), an
 * extension block follows the base words, its word 0 set to `ext`. `init` fills the primitive's
 * own words (and extension) before the header is published, so that a concurrent `from()` that
 * sees a valid header also sees them initialised.
 */
export function allocate(
  kind: KindName,
  base: number,
  options: CreateOptions,
  statsAllowed: boolean,
  ext = 0,
  init?: (view: Int32Array) => void,
): Int32Array {
  const stats = options.stats === true;
  if (stats && !statsAllowed) throw new SyncMisuseError(`${kind} does not keep contention stats`);
  const words = wordsFor(base, stats, ext);
  let view: Int32Array;
  if (options.placement !== undefined && options.memory !== undefined) {
    throw new SyncMisuseError(`${kind}: give memory or placement, not both (memory already says where it lives)`);
  }
  if (options.memory !== undefined) {
    const m = options.memory;
    if (!(m instanceof Int32Array)) throw new SyncMisuseError(`${kind}: memory must be an Int32Array`);
    if (m.length < words) throw new SyncMisuseError(`${kind}: memory holds ${m.length} words, needs ${words}`);
    if (m.byteOffset % 8 !== 0) throw new SyncMisuseError(`${kind}: memory must start at an 8-byte aligned offset`);
    view = m.length === words ? m : m.subarray(0, words);
    waiterFor(view); // rejects non-shared memory before anything is written
    for (let i = 1; i < words; i++) Atomics.store(view, i, 0);
  } else {
    view = placed(Int32Array, words, options, kind);
  }
  if (stats) new StatsBlock(view).initialise();
  if (ext > 0) Atomics.store(view, base, ext);
  init?.(view);
  // The header goes last so that a concurrent from() never sees a valid header over stale words.
  Atomics.store(view, 0, (MAGIC << 16) | (Kind[kind] << 8) | (stats ? FLAG_STATS : 0) | (ext > 0 ? FLAG_EXT : 0));
  return view;
}

/** Checks `view`'s header and returns what the primitive needs to run on it. */
export function attach(kind: KindName, base: number, view: Int32Array): Attached {
  if (!(view instanceof Int32Array)) {
    throw new SyncMisuseError(`${kind}.from expects the Int32Array state of a ${kind} (its .state), got ${describe(view)}`);
  }
  const waiter = waiterFor(view);
  if (view.length < base) throw new SyncMisuseError(`${kind}.from: state is ${view.length} words, a ${kind} needs ${base}`);
  const header = Atomics.load(view, 0);
  if (header >>> 16 !== MAGIC) {
    throw new SyncMisuseError(`${kind}.from: this memory holds no weft primitive (was it created with ${kind}.create?)`);
  }
  const found = (header >>> 8) & 0xff;
  if (found !== Kind[kind]) {
    const name = (Object.keys(Kind) as KindName[]).find((k) => Kind[k] === found) ?? `kind ${found}`;
    throw new SyncMisuseError(`${kind}.from: this memory holds a ${name}, not a ${kind}`);
  }
  const stats = (header & FLAG_STATS) !== 0;
  const ext = (header & FLAG_EXT) !== 0 ? extLength(kind, base, view) : 0;
  const words = wordsFor(base, stats, ext);
  if (view.length < words) throw new SyncMisuseError(`${kind}.from: state is ${view.length} words, needs ${words}`);
  if (stats && view.byteOffset % 8 !== 0) throw new SyncMisuseError(`${kind}.from: state must be 8-byte aligned`);
  const exact = view.length === words ? view : view.subarray(0, words);
  return { view: exact, waiter, stats: stats ? new StatsBlock(exact) : null, ext: ext > 0 ? exact.subarray(base, base + ext) : null };
}

function extLength(kind: KindName, base: number, view: Int32Array): number {
  const ext = view.length > base ? Atomics.load(view, base) : 0;
  if (ext < 2 || ext % 2 !== 0) throw new SyncMisuseError(`${kind}.from: state is ${view.length} words, too short for its extension`);
  return ext;
}

/**
 * A zeroed shared array of `length` elements where `options.placement` says: the memory of a
 * primitive or counter created without `memory`.
 */
export function placed<C extends Int32ArrayConstructor | BigInt64ArrayConstructor>(
  type: C,
  length: number,
  options: PlacementOptions,
  what: string,
): InstanceType<C> {
  const placement = options.placement ?? 'memory';
  if (placement !== 'memory' && placement !== 'mapped') {
    throw new SyncMisuseError(`${what}: placement must be 'memory' or 'mapped', got ${String(placement)}`);
  }
  return sharedArray(type, length, { placement });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
