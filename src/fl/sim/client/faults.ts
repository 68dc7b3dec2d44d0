/**
 * Fault injection: makes chosen clients fail inside their worker, the way real failures happen, so tests and
 * demonstrations can watch the simulator drop or retry them. Whether a (client, round, attempt) fails is a pure
 * function of the config, so it is the same on every backend.
 */
import { Rng } from '../../rng.js';
import type { FaultConfig } from '../config.js';
import { FAULT_STREAM } from '../streams.js';
import { WeftError } from '../../../shared/errors.js';

/** The error an injected `throw` fault raises. */
export class InjectedFault extends WeftError {
  constructor(clientId: number, round: number, attempt: number) {
    super('WEFT_FL_INJECTED_FAULT', `injected failure of client ${clientId} in round ${round} (attempt ${attempt + 1})`);
  }
}

/** Whether fault injection fails this attempt (0-based) of this client in this round. */
export function shouldFail(faults: FaultConfig, seed: number, clientId: number, round: number, attempt: number): boolean {
  if (faults.attempts > 0 && attempt >= faults.attempts) return false;
  if (faults.clients.includes(clientId)) return true;
  return faults.probability > 0 && Rng.derive(seed, FAULT_STREAM, clientId, round).nextFloat() < faults.probability;
}

/** Fails the way `faults.kind` says: throws, ends the worker, or spins until the task timeout terminates it. */
export function injectFault(faults: FaultConfig, clientId: number, round: number, attempt: number): never {
  if (faults.kind === 'crash') {
    // In a worker thread this ends the thread, in a child process the process: the pool sees a dead worker.
    process.exit(70);
  }
  if (faults.kind === 'hang') {
    // Busy, not sleeping: only terminating the worker (the pool does on timeout) stops it.
    for (;;) {
      if (Date.now() < 0) break;
    }
  }
  throw new InjectedFault(clientId, round, attempt);
}
