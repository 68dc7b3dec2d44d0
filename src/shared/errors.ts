/**
 * The root of weft's errors. It lives at the bottom layer so that shared memory, the sync
 * primitives and the pool all raise errors of one family: `err instanceof WeftError` and a stable
 * `err.code` hold for everything weft throws.
 */

/** Base class of every error weft raises. */
export class WeftError extends Error {
  /** A stable machine-readable code, e.g. `'WEFT_TIMEOUT'`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
