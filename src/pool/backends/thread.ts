/** Thread backend: one `worker_threads` Worker per pool worker. */
import { Worker } from 'node:worker_threads';
import { loadedAddonPath } from '../../shared/native.js';
import type { WorkerData, WorkerMessage } from '../protocol.js';
import { Doorbell } from '../doorbell.js';
import { ProgressWords } from '../progress.js';
import { siblingModule } from '../sibling-module.js';
import { inheritedThreadExecArgv } from './exec-argv.js';
import type { Backend, SpawnOptions, WorkerChannel, WorkerEvents } from './types.js';

/**
 * Worker threads on Node 20 do not inherit loader hooks (`--import tsx` in execArgv is ignored
 * there), so a thread starts from this plain-JavaScript bootstrap, which registers tsx itself
 * when the entry is TypeScript (weft running from source) before importing it.
 */
const BOOTSTRAP = `
(async () => {
  const { workerData } = await import('node:worker_threads');
  if (workerData.tsLoaderUrl) (await import(workerData.tsLoaderUrl)).register();
  await import(workerData.entryUrl);
})().catch((error) => process.nextTick(() => { throw error; }));
`;
const ENTRY = siblingModule('../worker/thread-entry', import.meta.url);
const TS_LOADER = ENTRY.pathname.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : undefined;

export const threadBackend: Backend = {
  kind: 'thread',
  transfers: true,
  pipelineBudgetMs: 2,
  spawn(options: SpawnOptions, events: WorkerEvents): WorkerChannel {
    const doorbell = new Doorbell();
    const progress = ProgressWords.create();
    const workerData: WorkerData = {
      moduleUrl: options.moduleUrl,
      name: options.name,
      doorbell: doorbell.view,
      activeWorkers: doorbell.active,
      progress: progress.view,
      addonPath: loadedAddonPath(),
    };
    // Compiled, the entry starts the thread itself (one module load less than through the bootstrap).
    const worker = new Worker(TS_LOADER ? BOOTSTRAP : ENTRY, {
      eval: TS_LOADER !== undefined,
      workerData: { ...workerData, entryUrl: ENTRY.href, tsLoaderUrl: TS_LOADER },
      name: options.name,
      resourceLimits: options.resourceLimits,
      execArgv: [...inheritedThreadExecArgv(), ...(options.execArgv ?? [])],
    });
    let reason: string | undefined;
    worker.on('message', (message: WorkerMessage) => {
      events.message(message);
      if (message.type === 'results') doorbell.handled();
    });
    // An 'error' event (uncaught exception, out of memory) always precedes 'exit'.
    worker.on('error', (error: Error & { code?: string }) => {
      reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory (${error.message})` : `${error.name}: ${error.message}`;
    });
    worker.on('exit', (code) => {
      doorbell.exited();
      events.exit({ code, signal: null, reason });
    });
    return {
      name: options.name,
      progress,
      send: (message, transfer) => {
        worker.postMessage(message, transfer as never);
        doorbell.ring();
      },
      terminate: () => void worker.terminate(),
      setReferenced: (referenced) => (referenced ? worker.ref() : worker.unref()),
    };
  },
};
