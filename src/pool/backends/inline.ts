/**
 * Inline backend: tasks run on the caller's own thread, one at a time, through the same runtime
 * as real workers. It is the sequential baseline and a debugging aid (breakpoints and stack traces
 * stay in one thread). Arguments and results pass by reference, not copied. It cannot stop a running synchronous task: a timeout or abort rejects the
 * promise, but the function runs to its end.
 */
import type { RunMessage, WorkerMessage } from '../protocol.js';
import { loadTaskModule } from '../worker/load-module.js';
import { TaskRunner } from '../worker/runtime.js';
import { ProgressWords } from '../progress.js';
import type { Backend, SpawnOptions, WorkerChannel, WorkerEvents } from './types.js';
import { toRemoteError } from '../errors.js';

export const inlineBackend: Backend = {
  kind: 'inline',
  transfers: false,
  pipelineBudgetMs: 1,
  spawn(options: SpawnOptions, events: WorkerEvents): WorkerChannel {
    let alive = true;
    let runner: TaskRunner | undefined;
    const waiting: RunMessage[] = [];
    const progress = ProgressWords.create();
    // Replies go through a microtask: never synchronous to the caller, and cheap. Tasks themselves
    // start from a macrotask (below), so a long queue of inline tasks still lets I/O run between batches.
    const deliver = (message: WorkerMessage): void => {
      queueMicrotask(() => {
        if (alive) events.message(message);
      });
    };
    const stop = (code: number): void => {
      if (!alive) return;
      alive = false;
      setImmediate(() => events.exit({ code, signal: null }));
    };
    loadTaskModule(options.moduleUrl).then(
      (tasks) => {
        if (!alive) return;
        runner = new TaskRunner(tasks, { post: deliver, transfers: false, progress: new ProgressWords(progress.view) });
        deliver({ type: 'ready', tasks: runner.taskNames(), progress: true });
        for (const message of waiting.splice(0)) runner.receive(message);
      },
      (error) => {
        deliver({ type: 'load-error', error: toRemoteError(error) });
        setImmediate(() => stop(1));
      },
    );
    return {
      name: options.name,
      progress,
      send: (message) => {
        // Arguments pass by reference: inline is the zero-copy sequential baseline.
        setImmediate(() => {
          if (!alive) return;
          if (runner) runner.receive(message);
          else waiting.push(message);
        });
      },
      terminate: () => stop(1),
      setReferenced: () => {},
    };
  },
};
