/**
 * The task module a profiled pool really loads: it starts a CPU profiler in the worker's own isolate
 * (the inspector works per isolate, so this covers threads and processes alike) unless `cpu=0`, logs the
 * worker's contended lock waits, then exposes the user's module unchanged. Its URL carries the settings:
 * `?target=<module url>&dir=<dir>&tag=<pool tag>&interval=<µs>&cpu=<0|1>`.
 *
 * The pool ends workers by terminating them (threads) or SIGKILL (processes), so a profile cannot be
 * written at exit. Instead the parent asks for it: it creates `<dir>/flush-<tag>`, which every worker
 * polls for; a worker that sees it stops its profiler and writes `<dir>/<tag>-<kind>-<id>.cpuprofile`
 * and a `.meta.json` next to it (with its lock waits). The same-isolate inspector session answers synchronously, so the
 * write also works from an 'exit' handler (a task that calls process.exit).
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';
import { collectTasks } from '../../pool/worker/load-module.js';
import { importWithTypeScript } from '../../pool/worker/typescript.js';
import { WaitLog } from '../locks.js';
import { startThreadProfiler } from './main-profiler.js';

const params = new URL(import.meta.url).searchParams;
const target = params.get('target');
const dir = params.get('dir');
const tag = params.get('tag') ?? 'pool';
const intervalUs = Number(params.get('interval') ?? '500');
const cpu = params.get('cpu') !== '0';
if (!target || !dir) throw new Error('weft profile: the profiled module needs ?target= and &dir=');

const self = isMainThread ? `process-${process.pid}` : `thread-${threadId}`;
const loadedAt = performance.timeOrigin + performance.now();
const waitLog = new WaitLog();
// The same profiler as the main thread's: source maps on before the target loads, positions mapped back at the end.
const profiler = cpu ? startThreadProfiler(intervalUs) : null;

let written = false;
/** Writes the profile and meta file; `loadFailed`: only a meta that says so, which the parent counts and drops. */
function writeProfile(loadFailed = false): void {
  if (written) return;
  written = true;
  waitLog.stop();
  const stopped = profiler?.stop() ?? null;
  const profile = loadFailed ? null : stopped;
  const base = join(dir!, `${tag}-${self}`);
  const meta = { self, tag, pid: process.pid, threadId, loadedAt, writtenAt: performance.timeOrigin + performance.now(), cpu: profile !== null, waits: waitLog.waits, droppedWaits: waitLog.dropped, loadFailed };
  try {
    // Written under a temporary name first, so the parent never reads half a file; the meta last, as the parent looks for it.
    if (profile) {
      writeFileSync(`${base}.cpuprofile.tmp`, JSON.stringify(profile));
      renameSync(`${base}.cpuprofile.tmp`, `${base}.cpuprofile`);
    }
    writeFileSync(`${base}.meta.json.tmp`, JSON.stringify(meta));
    renameSync(`${base}.meta.json.tmp`, `${base}.meta.json`);
  } catch (error) {
    // No folder: the session ended without this worker (it gave up waiting, or its program exited first).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

const flushFile = join(dir, `flush-${tag}`);
// Polling a file every 20 ms costs nothing measurable and works across threads and processes alike.
const poll = setInterval(() => {
  if (existsSync(flushFile)) {
    clearInterval(poll);
    writeProfile();
  }
}, 20);
poll.unref();
process.on('exit', () => writeProfile());

/**
 * The user's task functions, as an object (the pool's loader reads a default-exported object of functions when a
 * module exports no named function, which is what lets this module forward any set of names). The target is
 * imported the way a worker imports any task module, so TypeScript targets get the same loaders.
 */
let loaded: Record<string, unknown>;
try {
  loaded = await importWithTypeScript(target);
} catch (error) {
  // The pool ends a worker whose module failed without letting it exit, so it says now that it has nothing to give.
  writeProfile(true);
  throw error;
}
export default Object.fromEntries(collectTasks(loaded));
