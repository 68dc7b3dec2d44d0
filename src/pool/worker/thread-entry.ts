/** Entry point of a thread worker. */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { RunMessage, WorkerData } from '../protocol.js';
import { bootWorker } from './boot.js';

const port = parentPort!;
const runner = await bootWorker(
  workerData as WorkerData,
  {
    post: (message, transfer) => port.postMessage(message, transfer),
    transfers: true,
    poll: () => receiveMessageOnPort(port)?.message as RunMessage | undefined,
  },
  (code) => process.exit(code),
);
if (runner) port.on('message', (message: RunMessage) => runner.receive(message));
