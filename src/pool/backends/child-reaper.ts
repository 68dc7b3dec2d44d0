/**
 * Ends process workers when their parent is told to stop by SIGTERM, SIGINT or SIGHUP, without changing
 * what the signal does to the program. Listening to a signal in Node replaces its default action (death),
 * so weft listens only while process workers live, and when the signal comes:
 * - if the program has listeners of its own for it, they decide how to shut down (and may close their
 *   pools); weft does nothing, and the workers still die with the process (see worker/parent-death.ts);
 * - otherwise weft kills the workers, removes its listener and raises the signal again, so the default
 *   action happens as if weft had never listened.
 */
import type { ChildProcess } from 'node:child_process';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
type Signal = (typeof SIGNALS)[number];

const children = new Set<ChildProcess>();
const listeners = new Map<Signal, () => void>();

/**
 * Marks weft's own signal listeners, so that each of them, when counting the program's listeners,
 * leaves out the others (they all stand aside for the program's, and would otherwise stand aside for
 * one another, and the signal would be swallowed).
 */
export const WEFT_SIGNAL_LISTENER = Symbol.for('weft.signal-listener');

function isWeftListener(listener: (...args: never[]) => unknown): boolean {
  if ((listener as { [WEFT_SIGNAL_LISTENER]?: boolean })[WEFT_SIGNAL_LISTENER]) return true;
  // The shared-segment cleanup (src/shared/segment.ts) until it carries the mark.
  return Function.prototype.toString.call(listener).includes('unlinkOwnedSegments');
}

/** Kills `child` when this process is ended by a signal it does not otherwise handle; until it exits. */
export function reapOnSignal(child: ChildProcess): void {
  children.add(child);
  if (children.size === 1) listen();
  child.once('exit', () => {
    children.delete(child);
    if (children.size === 0) unlisten();
  });
}

function listen(): void {
  for (const signal of SIGNALS) {
    const listener = Object.assign((): void => onSignal(signal), { [WEFT_SIGNAL_LISTENER]: true });
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
}

function unlisten(): void {
  for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  listeners.clear();
}

function onSignal(signal: Signal): void {
  if (process.listeners(signal).some((listener) => !isWeftListener(listener))) return; // the program's own listeners handle it
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  unlisten();
  // With no listener left, the signal's default action applies again: the process ends by it.
  process.kill(process.pid, signal);
}
