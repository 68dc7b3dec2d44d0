/**
 * Times one task of a user's module the way the auto backend does (its sampled calls on inline,
 * thread and process) and turns the choice into advice: `weft advise --module` is built on it.
 */
import type { LocalBackendKind as BackendKind } from '../pool/backends/types.js';
import { AutoPool } from './auto-pool.js';
import type { TaskExplanation } from './explain.js';

export interface MeasureTaskOptions {
  module: string | URL;
  task: string;
  args: unknown[];
  /** Workers of the thread and process pools. Default: available parallelism. */
  workers?: number;
  /** Sampled calls per backend. Default 3. */
  rounds?: number;
}

export interface TaskMeasurement {
  backend: BackendKind;
  /** What the task returned on its last call. */
  result: unknown;
  explanation: TaskExplanation;
  /** The rule and the figures, as `pool.explain().text` prints them. */
  text: string;
  /** What to do, in weft terms. */
  advice: string;
}

/** Samples the task until the auto backend has chosen; rejects with the task's own typed error if it fails. */
export async function measureTask(options: MeasureTaskOptions): Promise<TaskMeasurement> {
  const pool = new AutoPool({ backend: 'auto', module: options.module, workers: options.workers, sampling: { rounds: options.rounds } });
  try {
    // Worker start-up is paid once per pool; it would swamp the first sample of a short task.
    await pool.ready();
    let result: unknown;
    for (let calls = 0; pool.chosen(options.task as never) === undefined; calls++) {
      result = await pool.run(options.task, ...options.args);
      if (calls > 100) throw new Error(`sampling '${options.task}' did not finish after ${calls} calls`);
    }
    const explanation = pool.explain();
    const task = explanation.tasks.find((t) => t.task === options.task)!;
    const backend = task.backend!;
    return { backend, result, explanation: task, text: explanation.text, advice: adviceFor(backend) };
  } finally {
    await pool.destroy();
  }
}

function adviceFor(backend: BackendKind): string {
  switch (backend) {
    case 'inline':
      return "run it where you are (backend: 'inline', or simply call it): a message to a worker costs more than the task. To go parallel anyway, batch many calls per message: pool.map(name, items, { chunkSize })";
    case 'thread':
      return "worker threads: createPool({ backend: 'thread' }) (or backend: 'auto', which measured the same); share big inputs with sharedArray()";
    case 'process':
      return "processes: createPool({ backend: 'process' }) (or backend: 'auto'); they also contain crashes";
  }
}
