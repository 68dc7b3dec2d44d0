/**
 * The seam between shared arrays and the process backend.
 *
 * A SharedArrayBuffer cannot cross a child-process channel, but a mapped one has a name. Before
 * a task goes to a process worker, {@link encodeShared} replaces each typed array over a mapped
 * segment with a small descriptor; in the worker, {@link decodeShared} maps the segment (once
 * per name) and rebuilds the same view, so both sides use the same pages. Thread workers need
 * none of this: postMessage shares a SharedArrayBuffer as is.
 *
 * Only the arguments themselves and plain objects/arrays nested up to {@link MAX_DEPTH} levels
 * are walked; containers are copied only when something in them was replaced.
 */
import { nativeLoaded, native } from './native.js';
import { openSegmentCached } from './segment.js';
import { viewOf } from './shared-array.js';
import { TYPED_ARRAYS, typedArrayName, type TypedArrayName } from './types.js';

/** Stands for a typed array over a mapped segment while a task crosses a process boundary. */
export interface SharedDescriptor {
  kind: 'weft.shm';
  /** Segment name in /dev/shm. */
  name: string;
  /** TypedArray kind. */
  type: TypedArrayName;
  /** Offset of the view in the segment, in bytes. */
  byteOffset: number;
  /** Length of the view, in elements. */
  length: number;
}

/** How deep encode/decode look into plain objects and arrays (the value itself is level 0). */
export const MAX_DEPTH = 4;

/** True for a descriptor made by {@link encodeShared}. */
export function isSharedDescriptor(value: unknown): value is SharedDescriptor {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as SharedDescriptor).kind === 'weft.shm' &&
    typeof (value as SharedDescriptor).name === 'string' &&
    typeof (value as SharedDescriptor).type === 'string' &&
    Object.hasOwn(TYPED_ARRAYS, (value as SharedDescriptor).type)
  );
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Rebuilds `value` with `replace` applied to every node (depth-limited). Returns `value`
 * itself when nothing changed, so the common case allocates nothing.
 */
function mapDeep(value: unknown, depth: number, replace: (v: object) => unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const replaced = replace(value);
  if (replaced !== value || depth >= MAX_DEPTH) return replaced;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      const next = mapDeep(item, depth + 1, replace);
      if (next !== item) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (typeof item !== 'object' || item === null) continue;
      const next = mapDeep(item, depth + 1, replace);
      if (next !== item) (out ??= { ...value })[key] = next;
    }
    return out ?? value;
  }
  return value;
}

/**
 * Replaces typed arrays over mapped segments by {@link SharedDescriptor}s. Costs one native
 * call when no segment is mapped in this process, and nothing if the addon was never loaded.
 */
export function encodeShared(value: unknown): unknown {
  if (!nativeLoaded()) return value;
  const addon = native();
  if (addon.mappingCount() === 0) return value;
  return mapDeep(value, 0, (node) => {
    const type = typedArrayName(node);
    if (type === undefined) return node;
    const view = node as ArrayBufferView & { length: number };
    if (!(view.buffer instanceof SharedArrayBuffer)) return node;
    const name = addon.segmentOf(view);
    if (name === undefined) return node;
    const descriptor: SharedDescriptor = {
      kind: 'weft.shm',
      name,
      type,
      byteOffset: view.byteOffset,
      length: view.length,
    };
    return descriptor;
  });
}

/**
 * Turns every {@link SharedDescriptor} in `value` back into a typed array over the same
 * segment, mapping each segment once per process and reusing it for later tasks.
 */
export function decodeShared<T = unknown>(value: unknown): T {
  return mapDeep(value, 0, (node) => {
    if (!isSharedDescriptor(node)) return node;
    const buffer = openSegmentCached(node.name);
    return viewOf(TYPED_ARRAYS[node.type], buffer, node.byteOffset, node.length);
  }) as T;
}
