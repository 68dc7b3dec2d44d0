/** Starting test workers: raw worker threads and forked processes running fixtures/jobs.ts. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startThread } from '../../src/sync/thread.js';
import type { JobName, Params, Views } from './fixtures/jobs.js';

const THREAD_JOB = new URL('./fixtures/thread-job.ts', import.meta.url);
const PROCESS_JOB = fileURLToPath(new URL('./fixtures/process-job.ts', import.meta.url));

/** Runs `job` in a new worker thread; resolves to its result once the thread has exited. */
export function inThread<T = number>(job: JobName, views: Views, params: Params = {}): Promise<T> {
  const w = startThread(THREAD_JOB, { workerData: { job, views, params } });
  return new Promise<T>((resolve, reject) => {
    let got: { result: T } | undefined;
    w.once('message', (m: { result: T }) => (got = m));
    w.once('error', reject);
    w.once('exit', (code) => (got ? resolve(got.result) : reject(new Error(`thread job ${job} exited with code ${code}`))));
  });
}

/** Runs `job` in a new process that maps `segment`; views are [byteOffset, length] in it. */
export function inProcess<T = number>(
  job: JobName,
  segment: string,
  views: Record<string, [number, number]>,
  params: Params = {},
): Promise<T> {
  const child = fork(PROCESS_JOB, [JSON.stringify({ job, segment, views, params })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    let got: { result: T } | undefined;
    child.once('message', (m) => (got = m as { result: T }));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      got ? resolve(got.result) : reject(new Error(`process job ${job} exited with ${signal ?? code}`)),
    );
  });
}

/** Promise that resolves after `ms`. */
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every few ms until true, or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}

/** A zeroed shared Int32Array. */
export const shared = (length: number): Int32Array => new Int32Array(new SharedArrayBuffer(length * 4));
