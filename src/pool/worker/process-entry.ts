/** Entry point of a process worker (a child started with fork and V8 serialisation). */
import { decodeShared } from '../../shared/handle.js';
import type { RunMessage, WorkerData } from '../protocol.js';
import { bootWorker } from './boot.js';

// Orphaned workers must not outlive a parent that died.
process.on('disconnect', () => process.exit(0));

const data = JSON.parse(process.env.WEFT_WORKER_DATA ?? '{}') as WorkerData;
const send = process.send!.bind(process);
const runner = await bootWorker(
  data,
  { post: (message) => void send(message), transfers: false },
  (code) => void send({ type: 'exiting', code }, () => process.exit(code)),
  (args) => decodeShared<unknown[]>(args),
);
if (runner) process.on('message', (message: RunMessage) => runner.receive(message));
