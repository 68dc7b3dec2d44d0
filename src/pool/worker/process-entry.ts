/** Entry point of a process worker (a child started with fork and V8 serialisation). */
import { decodeShared } from '../../shared/handle.js';
import type { RunMessage, WorkerData } from '../protocol.js';
import { openProcessDoorbell, type Doorbell, type DoorbellSlot } from '../doorbell.js';
import { bootWorker } from './boot.js';

// Orphaned workers must not outlive a parent that died.
process.on('disconnect', () => process.exit(0));

const data = JSON.parse(process.env.WEFT_WORKER_DATA ?? '{}') as WorkerData;
const send = process.send!.bind(process);
const doorbell = data.doorbellSlot ? openDoorbellOrNot(data.doorbellSlot) : undefined;
const runner = await bootWorker(
  data,
  {
    post: (message) => void send(message),
    transfers: false,
    doorbell,
  },
  (code) => void send({ type: 'exiting', code }, () => process.exit(code)),
  (args) => decodeShared<unknown[]>(args),
);
if (runner) process.on('message', (message: RunMessage) => runner.receive(message));

/** The doorbell is a speed-up only: a worker that cannot map it works without. */
function openDoorbellOrNot(slot: DoorbellSlot): Doorbell | undefined {
  try {
    return openProcessDoorbell(slot);
  } catch {
    return undefined;
  }
}
