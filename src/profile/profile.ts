/** `profile(block)`: the API form of `weft profile`. */
import { installCreatePoolHook } from '../pool/create-pool.js';
import { ProfileSession, type ProfileOptions, type ProfileResult } from './session.js';

/**
 * Runs `block` with telemetry and CPU profiles on, then writes trace.json, summary.json, report.html and the
 * .cpuprofile files into `options.out`. Pools made with `session.createPool` are profiled; so is any pool made
 * with `createPool` inside the block once the pool honours the create-pool hook (see src/pool/create-pool.ts).
 * @example
 * const { files, summary } = await profile(async (session) => {
 *   const pool = session.createPool({ module: new URL('./tasks.js', import.meta.url), workers: 2 });
 *   await Promise.all(inputs.map((n) => pool.call.crunch(n)));
 *   await pool.close();
 * }, { out: 'prof' });
 */
export async function profile<T>(block: (session: ProfileSession) => Promise<T> | T, options: ProfileOptions = {}): Promise<ProfileResult & { value: T }> {
  const session = new ProfileSession(options);
  const uninstall = installCreatePoolHook((o, make) => session.instrument(o, make));
  let value: T;
  try {
    value = await block(session);
  } finally {
    uninstall();
  }
  return { ...(await session.finish()), value };
}
