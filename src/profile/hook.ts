/**
 * How a profile reaches pools that user code creates itself: a global hook under a registered symbol,
 * which `createPool` consults (a symbol, so no import of this module is needed on the pool's side and
 * two copies of weft in one process still meet). When the hook is unset, pools are untouched.
 */
import type { Pool } from '../pool/pool.js';
import type { PoolOptions } from '../pool/options.js';

/** The key `createPool` looks up on `globalThis`. */
export const CREATE_POOL_HOOK = Symbol.for('weft.createPool');

/**
 * An options key for the module the user gave when the pool loads a wrapper of it instead (the profiled module):
 * errors name the user's module, not the wrapper's URL.
 */
export const USER_MODULE = Symbol.for('weft.userModule');

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
