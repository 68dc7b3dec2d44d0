/** Process backend: one child process per pool worker, talking over IPC with V8 serialisation. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeShared } from '../../shared/handle.js';
import { loadedAddonPath } from '../../shared/native.js';
import type { WorkerData, WorkerMessage } from '../protocol.js';
import { ProcessDoorbells } from '../process-doorbells.js';
import { siblingModule } from '../sibling-module.js';
import { reapOnSignal } from './child-reaper.js';
import { inheritedExecArgv } from './exec-argv.js';
import type { Backend, SpawnOptions, WorkerChannel, WorkerEvents } from './types.js';

/** Doorbells of this process's process workers (see doorbell.ts). */
const doorbells = new ProcessDoorbells();

export const processBackend: Backend = {
  kind: 'process',
  transfers: false,
  pipelineBudgetMs: 4,
  // Arrays over mapped /dev/shm segments travel as handles and are mapped again in the child. Arguments
  // that are all primitives (most calls) cannot hold one, and skip the walk.
  encodeArgs: (args) => (args.every(isPrimitive) ? args : (encodeShared(args) as unknown[])),
  spawn(options: SpawnOptions, events: WorkerEvents): WorkerChannel {
    const bell = doorbells.lend();
    const workerData: WorkerData = {
      moduleUrl: options.moduleUrl,
      name: options.name,
      doorbellSlot: bell?.slot,
      parentPid: process.pid,
      addonPath: loadedAddonPath(),
    };
    const child = fork(fileURLToPath(siblingModule('../worker/process-entry', import.meta.url)), [], {
      serialization: 'advanced',
      execArgv: [...inheritedExecArgv(), ...heapFlags(options), ...(options.execArgv ?? [])],
      env: { ...process.env, ...options.env, WEFT_WORKER_DATA: JSON.stringify(workerData) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const name = `${options.name} (pid ${child.pid})`;
    reapOnSignal(child);
    child.on('message', (message: WorkerMessage) => {
      events.message(message);
      if (message.type === 'results') bell?.doorbell.handled();
    });
    // Messages already written by the child can still be in flight when 'exit' fires; they have
    // all arrived once the IPC channel has closed, so the pool hears of the exit only after both.
    let exitInfo: { code: number | null; signal: string | null } | undefined;
    let disconnected = !child.connected;
    let reported = false;
    const report = (): void => {
      if (reported || !exitInfo || !disconnected) return;
      reported = true;
      if (bell) {
        bell.doorbell.exited();
        doorbells.giveBack(bell.slot);
      }
      events.exit(exitInfo);
    };
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      report();
    });
    child.on('disconnect', () => {
      disconnected = true;
      report();
    });
    child.on('error', () => {
      // A failed spawn or a failed kill; 'exit' still follows a real exit.
    });
    return {
      name,
      pid: child.pid,
      progress: bell?.progress,
      send: (message) => {
        if (!child.connected) return;
        child.send(message);
        bell?.doorbell.ring();
      },
      setReferenced: (referenced) => {
        // Both the child and its IPC pipe hold the event loop open.
        const channel = child.channel as { ref?: () => void; unref?: () => void } | undefined;
        if (referenced) {
          child.ref();
          channel?.ref?.();
        } else {
          child.unref();
          channel?.unref?.();
        }
      },
      terminate: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  },
};

function heapFlags(options: SpawnOptions): string[] {
  const limits = options.resourceLimits;
  if (!limits) return [];
  const flags: string[] = [];
  if (limits.maxOldGenerationSizeMb) flags.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  if (limits.maxYoungGenerationSizeMb) flags.push(`--max-semi-space-size=${Math.max(1, Math.floor(limits.maxYoungGenerationSizeMb / 3))}`);
  if (limits.stackSizeMb) flags.push(`--stack-size=${Math.floor(limits.stackSizeMb * 1024)}`);
  return flags;
}

function isPrimitive(value: unknown): boolean {
  return typeof value !== 'object' || value === null;
}
