/**
 * A process worker must not outlive its parent, whatever killed the parent (SIGKILL included) and
 * whatever the worker is doing (an endless loop, a blocked lock). The kernel does it best: the
 * native addon asks Linux for SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG). Without the
 * addon, a tiny watchdog thread polls the parent's pid and kills its own process once the parent
 * is gone; being a thread of its own, it keeps watching while the main thread is stuck. Only then
 * is `node:worker_threads` loaded: a process worker with the addon never needs it.
 */
import { tryNative } from '../../shared/native.js';

const SIGKILL = 9;
/** How often (ms) the watchdog looks at the parent: a worker ends within about this long of its parent. */
const POLL_MS = 200;

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parentPid) process.kill(process.pid, 'SIGKILL');
}, workerData.pollMs);
`;

/**
 * Arranges for this process to die with its parent `parentPid`. Returns false if the parent is
 * already gone (the caller should exit at once).
 */
export function dieWithParent(parentPid: number, how: 'auto' | 'poll' = 'auto'): boolean {
  if (!(parentPid > 0)) return true;
  if (process.ppid !== parentPid) return false;
  if (how === 'auto') {
    try {
      const native = tryNative() as { setParentDeathSignal?: (signal: number, parent: number) => boolean } | undefined;
      // An addon built before setParentDeathSignal existed lacks it: the watchdog stands in.
      if (typeof native?.setParentDeathSignal === 'function') return native.setParentDeathSignal(SIGKILL, parentPid);
    } catch {
      // fall through to the watchdog
    }
  }
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { parentPid, pollMs: POLL_MS }, stdout: false, stderr: false });
  watchdog.unref();
  watchdog.on('error', () => {
    // Nothing to do: the IPC 'disconnect' still ends a worker that is not stuck.
  });
  return true;
}
