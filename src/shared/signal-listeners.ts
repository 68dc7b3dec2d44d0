/**
 * weft's own listeners for SIGINT/SIGTERM/SIGHUP (segment cleanup here, ending process workers in
 * the pool) carry one mark. Listening to a signal in Node replaces its default action, so each of
 * them stands aside when the program listens too (the program then decides how to shut down);
 * they must not stand aside for one another, or the signal would be swallowed.
 */

/** The mark: `listener[WEFT_SIGNAL_LISTENER] === true`. */
export const WEFT_SIGNAL_LISTENER = Symbol.for('weft.signal-listener');

/** `listener`, marked as one of weft's. */
export function weftListener<F extends (...args: never[]) => unknown>(listener: F): F {
  return Object.assign(listener, { [WEFT_SIGNAL_LISTENER]: true });
}

/** Whether the program (not weft) listens for `signal`. */
export function programListens(signal: NodeJS.Signals): boolean {
  return process.listeners(signal).some((l) => (l as { [WEFT_SIGNAL_LISTENER]?: boolean })[WEFT_SIGNAL_LISTENER] !== true);
}
