/** Shared set-up for executor tests: the fixture module and a pool factory per backend. */
import { createPool, type Pool, type PoolOptions } from '../../src/index.js';
import type * as Tasks from '../fixtures/tasks.js';

export const TASKS = new URL('../fixtures/tasks.ts', import.meta.url);
export const BACKENDS = ['thread', 'process', 'inline'] as const;
export const PARALLEL_BACKENDS = ['thread', 'process'] as const;
export type TaskModule = typeof Tasks;

export function makePool(backend: PoolOptions['backend'], options: Partial<PoolOptions> = {}): Pool<TaskModule> {
  return createPool<TaskModule>({ module: TASKS, backend, workers: backend === 'inline' ? 1 : 2, ...options });
}

/** Resolves to the error a promise rejects with, and fails if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${String(value)}`);
  } catch (error) {
    return error as Error;
  }
}
