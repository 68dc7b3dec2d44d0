/**
 * Starts a worker: loads the task module, reports ready (or the load error, once), and makes
 * `process.exit()` inside a task report the results already finished before the worker goes.
 */
import { toRemoteError } from '../errors.js';
import type { WorkerData } from '../protocol.js';
import { loadTaskModule } from './load-module.js';
import { TaskRunner, type WorkerTransport } from './runtime.js';

/** Loads the module and returns a runner, or reports the load error and exits. */
export async function bootWorker(
  data: WorkerData,
  transport: WorkerTransport,
  exitAfterSend: (code: number) => void,
  decodeArgs?: (args: unknown[]) => unknown[],
): Promise<TaskRunner | undefined> {
  let tasks;
  try {
    tasks = await loadTaskModule(data.moduleUrl);
  } catch (error) {
    transport.post({ type: 'load-error', error: toRemoteError(error) });
    exitAfterSend(1);
    return undefined;
  }
  const runner = new TaskRunner(tasks, transport, decodeArgs);
  hookProcessExit(runner, transport);
  transport.post({ type: 'ready', tasks: runner.taskNames(), progress: transport.progress !== undefined });
  return runner;
}

function hookProcessExit(runner: TaskRunner, transport: WorkerTransport): void {
  const realExit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    try {
      runner.flush();
      const numeric = Number(code ?? process.exitCode ?? 0);
      transport.post({ type: 'exiting', code: Number.isFinite(numeric) ? numeric : 1 });
    } catch {
      // The pool learns of the exit from the exit event anyway.
    }
    return realExit(code as number | undefined);
  }) as typeof process.exit;
}
