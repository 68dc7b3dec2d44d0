/**
 * The FL simulator's errors, in weft's one family (`instanceof WeftError`, a stable `code`).
 */
import { WeftError } from '../shared/errors.js';

/**
 * A value given to the FL library (a partition, an optimiser, a model, a trainer, the data) is
 * out of range or does not fit the rest; the message names the value and what it should be.
 *
 * @example
 * ```ts
 * try { iidPartition(10, 5, rng); } catch (e) { if (e instanceof FlArgumentError) console.error(e.message); }
 * ```
 */
export class FlArgumentError extends WeftError {
  constructor(message: string) {
    super('WEFT_FL_INVALID_ARGUMENT', message);
  }
}

/**
 * Something the simulator relies on did not hold (a trainer module without its export, a client
 * that sent the wrong number of parameters, a result slot out of range): a broken trainer or a
 * bug, never bad luck, so it is not retried as a client failure would be.
 */
export class FlProtocolError extends WeftError {
  constructor(message: string) {
    super('WEFT_FL_PROTOCOL', message);
  }
}
