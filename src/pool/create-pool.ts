/**
 * `createPool` for the pool's own backends, and the hook through which a profile reaches pools that
 * user code creates itself: a global under a registered symbol (so two copies of weft in one process
 * still meet). When the hook is unset, pools are untouched. `backend: 'auto'` is added above this
 * layer (src/playbook/create-pool.ts).
 */
import type { PoolOptions } from './options.js';
import { Pool } from './pool.js';
import type { AnyFunction } from './types.js';

/** The key `createPool` looks up on `globalThis`. */
export const CREATE_POOL_HOOK = Symbol.for('weft.createPool');

/** Builds a pool from (possibly changed) options, or wraps the one it built. */
export type CreatePoolHook = (options: PoolOptions, make: (options: PoolOptions) => Pool) => Pool;

/** Installs `hook` for every pool created from now on; returns a function that removes it. */
export function installCreatePoolHook(hook: CreatePoolHook): () => void {
  const g = globalThis as Record<symbol, unknown>;
  const previous = g[CREATE_POOL_HOOK];
  g[CREATE_POOL_HOOK] = hook;
  return () => {
    if (g[CREATE_POOL_HOOK] === hook) g[CREATE_POOL_HOOK] = previous;
  };
}

/**
 * Creates a pool over a task module on a thread, process or inline backend.
 * @example
 * import { createPool } from 'weft-pool';
 * const pool = createPool<typeof import('./tasks.js')>({ module: new URL('./tasks.js', import.meta.url) });
 * const count = await pool.call.countPrimes(0, 1_000_000);
 * await pool.close();
 */
export function createPool<M = Record<string, AnyFunction>>(options: PoolOptions): Pool<M> {
  // A profiling session (weft profile, profile()) observes every pool through this hook.
  const hook = (globalThis as Record<symbol, unknown>)[CREATE_POOL_HOOK] as CreatePoolHook | undefined;
  if (hook) return hook(options, (o) => new Pool(o)) as unknown as Pool<M>;
  return new Pool<M>(options);
}
