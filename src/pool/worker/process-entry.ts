/** Entry point of a process worker (a child started with fork and V8 serialisation). */
import { decodeShared } from '../../shared/handle.js';
import type { RunMessage, WorkerData } from '../protocol.js';
import { openProcessDoorbell, type DoorbellSlot } from '../doorbell.js';
import { bootWorker } from './boot.js';

// Orphaned workers must not outlive a parent that died.
process.on('disconnect', () => process.exit(0));

const data = JSON.parse(process.env.WEFT_WORKER_DATA ?? '{}') as WorkerData;
const send = process.send!.bind(process);
const shared = data.doorbellSlot ? openDoorbellOrNot(data.doorbellSlot) : undefined;
const runner = await bootWorker(
  data,
  {
    post: (message) => void send(message),
    transfers: false,
    doorbell: shared?.doorbell,
    progress: shared?.progress,
  },
  (code) => void send({ type: 'exiting', code }, () => process.exit(code)),
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
