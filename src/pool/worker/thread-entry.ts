/** Entry point of a thread worker. */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { useAddonAt } from '../../shared/native.js';
import type { RunMessage, WorkerData } from '../protocol.js';
import { Doorbell } from '../doorbell.js';
import { ProgressWords } from '../progress.js';
import { bootWorker } from './boot.js';

const port = parentPort!;
const data = workerData as WorkerData;
// Before anything loads the addon (a task's mapped arguments do): the file the pool's thread loaded, without the search.
useAddonAt(data.addonPath);
const doorbell = data.doorbell && data.activeWorkers ? new Doorbell(data.doorbell, data.activeWorkers) : undefined;
const runner = await bootWorker(
  data,
  {
    post: (message, transfer) => port.postMessage(message, transfer),
    transfers: true,
    ownThread: true,
    poll: () => receiveMessageOnPort(port)?.message as RunMessage | undefined,
    doorbell,
    progress: data.progress ? new ProgressWords(data.progress) : undefined,
  },
  (code) => process.exit(code),
);
if (runner) port.on('message', (message: RunMessage) => runner.receive(message));
