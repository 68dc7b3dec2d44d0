/** Shared memory: typed arrays shared by threads and processes, and the futex behind locks. */
export {
  sharedArray,
  sharedArrayFrom,
  disposableSharedArray,
  dispose,
  placementOf,
  segmentOf,
  SharedArray,
  type Placement,
  type SharedArrayOptions,
} from './shared-array.js';
export { TYPED_ARRAYS, type TypedArrayName, type TypedArrayConstructor, type SharedTypedArray } from './types.js';
export { futexWait, futexWaitAsync, futexWake, isMapped, type WaitResult } from './futex.js';
export { encodeShared, decodeShared, isSharedDescriptor, type SharedDescriptor } from './handle.js';
export { sweepStaleSegments, ownerPidOf, SEGMENT_PREFIX } from './segment.js';
export { buildCommand, NativeUnavailableError, type BufferPath } from './native.js';
export { SharedArgumentError, SharedErrorCode } from './argument-error.js';
