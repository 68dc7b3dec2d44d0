/**
 * The error shared memory raises for arguments that can never work (an unsupported array type, a
 * negative length, a futex index out of range). A {@link WeftError}, so `err.code` is stable
 * across weft's layers; `argument` names the offending parameter so callers and messages agree.
 */
import { WeftError } from './errors.js';

/** Stable codes of the shared-memory errors (`err.code`). */
export const SharedErrorCode = {
  InvalidArgument: 'WEFT_SHARED_INVALID_ARGUMENT',
  NativeUnavailable: 'WEFT_NATIVE_UNAVAILABLE',
} as const;

/** An argument to a shared-memory function is invalid. Code `WEFT_SHARED_INVALID_ARGUMENT`. */
export class SharedArgumentError extends WeftError {
  constructor(
    /** The function that refused it, e.g. `'sharedArray'`. */
    readonly operation: string,
    /** The parameter at fault, e.g. `'length'`. */
    readonly argument: string,
    /** What is wrong with it, naming the value, e.g. `'must be a non-negative integer, got -1'`. */
    problem: string,
  ) {
    super(SharedErrorCode.InvalidArgument, `weft: ${operation}: ${argument} ${problem}`);
  }
}
