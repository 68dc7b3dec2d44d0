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
import { programListens, weftListener } from '../../shared/signal-listeners.js';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
type Signal = (typeof SIGNALS)[number];

const children = new Set<ChildProcess>();
const listeners = new Map<Signal, () => void>();

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
    const listener = weftListener((): void => onSignal(signal));
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
}

function unlisten(): void {
  for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  listeners.clear();
}

function onSignal(signal: Signal): void {
  if (programListens(signal)) return; // the program's own listeners handle it
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
