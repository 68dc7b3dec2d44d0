/** The playbook: the auto backend, which picks inline, thread or process by measuring, and the advisor. */
export { AutoPool, type AutoPoolStats } from './auto-pool.js';
export { createPool } from './create-pool.js';
export type { AutoPoolOptions, SamplingOptions } from './auto-options.js';
export type { BackendFigure, Choice } from './choose.js';
export type { Explanation, TaskExplanation } from './explain.js';
export { advise, SHARED_DATA_THRESHOLD_MB, type Advice, type Recommendation, type Workload } from './advisor.js';
export { EVIDENCE, type Evidence } from './evidence.js';
export { measureTask, type MeasureTaskOptions, type TaskMeasurement } from './measure-task.js';
