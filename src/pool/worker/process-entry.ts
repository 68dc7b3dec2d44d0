/** Entry point of a process worker (a child started with fork and V8 serialisation). */
import { decodeShared } from '../../shared/handle.js';
import { useAddonAt } from '../../shared/native.js';
import type { RunMessage, WorkerData } from '../protocol.js';
import { openProcessDoorbell, type DoorbellSlot } from '../process-doorbells.js';
import { bootWorker } from './boot.js';
import { dieWithParent } from './parent-death.js';

const data = JSON.parse(process.env.WEFT_WORKER_DATA ?? '{}') as WorkerData;
// Before anything loads the addon (dieWithParent does): the file the parent loaded, without node-gyp-build's search.
useAddonAt(data.addonPath);
// Orphaned workers must not outlive a parent that died: the kernel (or a watchdog) kills a busy one,
// and an idle one goes when the IPC channel closes.
if (!dieWithParent(data.parentPid ?? 0, process.env.WEFT_PARENT_WATCH === 'poll' ? 'poll' : 'auto')) process.exit(0);
process.on('disconnect', () => process.exit(0));

// A send to a parent that died fails with EPIPE (as an 'error' event); 'disconnect' ends this worker.
process.on('error', () => {});
const send = (message: unknown, then?: () => void): void => {
  if (!process.connected) return then?.();
  if (then) process.send!(message, undefined, undefined, () => then());
  else process.send!(message);
};
const shared = data.doorbellSlot ? openDoorbellOrNot(data.doorbellSlot) : undefined;
const runner = await bootWorker(
  data,
  {
    post: (message) => void send(message),
    transfers: false,
    ownThread: true,
    doorbell: shared?.doorbell,
    progress: shared?.progress,
  },
  (code) => send({ type: 'exiting', code }, () => process.exit(code)),
  (args) => decodeShared<unknown[]>(args),
);
if (runner) process.on('message', (message: RunMessage) => runner.receive(message));

/** The doorbell is a speed-up, the progress record a help after crashes: a worker that cannot map them works without (and says so when ready). */
function openDoorbellOrNot(slot: DoorbellSlot): ReturnType<typeof openProcessDoorbell> | undefined {
  try {
    return openProcessDoorbell(slot);
  } catch {
    return undefined;
  }
}
