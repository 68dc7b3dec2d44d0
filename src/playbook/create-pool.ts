/** The public `createPool`: the pool's own backends, plus `backend: 'auto'`, which is built on them. */
import { createPool as createBackendPool } from '../pool/create-pool.js';
import type { PoolOptions } from '../pool/options.js';
import type { Pool } from '../pool/pool.js';
import type { AnyFunction } from '../pool/types.js';
import type { AutoPoolOptions } from './auto-options.js';
import { AutoPool } from './auto-pool.js';

/**
 * Creates a pool over a task module. `backend: 'auto'` makes an {@link AutoPool}, which picks the backend per task by measuring.
 * @example
 * import { createPool } from 'weft-pool';
 * const pool = createPool<typeof import('./tasks.js')>({ module: new URL('./tasks.js', import.meta.url) });
 * const count = await pool.call.countPrimes(0, 1_000_000);
 * await pool.close();
 */
export function createPool<M = Record<string, AnyFunction>>(options: AutoPoolOptions): AutoPool<M>;
export function createPool<M = Record<string, AnyFunction>>(options: PoolOptions): Pool<M>;
export function createPool<M = Record<string, AnyFunction>>(options: PoolOptions | AutoPoolOptions): Pool<M> | AutoPool<M> {
  // 'auto' samples each task function on all three backends, then keeps the fastest.
  if (options?.backend === 'auto') return new AutoPool<M>(options);
  return createBackendPool<M>(options);
}
