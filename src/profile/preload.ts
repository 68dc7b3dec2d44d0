/**
 * The preload `weft profile` runs a program with (`node --import <this> script.js`): it opens a
 * {@link ProfileSession} for the program's main thread, routes every pool the program creates through it
 * (the create-pool hook), and writes the files when the program ends.
 *
 * Worker threads inherit `--import` and process workers inherit the environment, so this module also loads
 * in every worker; only the program's own main thread, the first to claim WEFT_PROFILE_OWNER, profiles.
 */
import { isMainThread } from 'node:worker_threads';
import { installCreatePoolHook } from '../pool/create-pool.js';
import { ProfileSession } from './session.js';

const env = process.env;
if (isMainThread && env.WEFT_PROFILE_OUT && env.WEFT_PROFILE_OWNER === undefined) {
  env.WEFT_PROFILE_OWNER = String(process.pid);
  const session = new ProfileSession({
    out: env.WEFT_PROFILE_OUT,
    cpu: env.WEFT_PROFILE_CPU !== '0',
    samplingIntervalUs: env.WEFT_PROFILE_INTERVAL ? Number(env.WEFT_PROFILE_INTERVAL) : undefined,
    title: env.WEFT_PROFILE_TITLE,
  });
  installCreatePoolHook((options, make) => session.instrument(options, make));
  let finishing = false;
  // beforeExit: the loop is empty, so open pools can still be asked for their workers' profiles.
  process.on('beforeExit', () => {
    if (finishing) return;
    finishing = true;
    void session.finish();
  });
  // exit (process.exit() or the end of the loop): only synchronous work is possible here.
  process.on('exit', () => session.finishNow());
}
