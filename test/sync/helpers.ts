/** Starting test workers: raw worker threads and forked processes running fixtures/jobs.ts. */
import { fork, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { tryNative } from '../../src/shared/native.js';
import { startThread } from '../../src/sync/thread.js';
import type { JobName, Params, Views } from './fixtures/jobs.js';

const THREAD_JOB = new URL('./fixtures/thread-job.ts', import.meta.url);
const PROCESS_JOB = fileURLToPath(new URL('./fixtures/process-job.ts', import.meta.url));

/** Starts `job` in a new worker thread, for a test that ends the thread itself. */
export function threadJob(job: JobName, views: Views, params: Params = {}): Worker {
  return startThread(THREAD_JOB, { workerData: { job, views, params } });
}

/** Runs `job` in a new worker thread; resolves to its result once the thread has exited. */
export function inThread<T = number>(job: JobName, views: Views, params: Params = {}): Promise<T> {
  const w = threadJob(job, views, params);
  return new Promise<T>((resolve, reject) => {
    let got: { result: T } | undefined;
    w.once('message', (m: { result: T }) => (got = m));
    w.once('error', reject);
    w.once('exit', (code) => (got ? resolve(got.result) : reject(new Error(`thread job ${job} exited with code ${code}`))));
  });
}

/** Starts `job` in a new process that maps `segment`, for a test that kills it itself. */
export function processJob(job: JobName, segment: string, views: Record<string, [number, number]>, params: Params = {}): ChildProcess {
  return fork(PROCESS_JOB, [JSON.stringify({ job, segment, views, params })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Runs `job` in a new process that maps `segment`; views are [byteOffset, length] in it. */
export function inProcess<T = number>(
  job: JobName,
  segment: string,
  views: Record<string, [number, number]>,
  params: Params = {},
): Promise<T> {
  const child = processJob(job, segment, views, params);
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

/** The native addon, or undefined where it is not built (tests needing mapped memory skip). */
export const addon = tryNative();

/** Whether this machine gives liveness tokens (the robust primitives' recovery needs them). */
export const hasLiveness = ((): boolean => {
  try {
    return addon !== undefined && addon.liveToken() > 0;
  } catch {
    return false;
  }
})();

/**
 * Mapped segments for one test file: `segment(bytes)` creates one (named after the test's pid),
 * `removeAll()` (in an `after` hook) unlinks them.
 */
export function segments(): { segment(bytes: number): { name: string; buffer: SharedArrayBuffer }; removeAll(): void } {
  const names: string[] = [];
  return {
    segment(bytes) {
      const name = `weft-synctest-${process.pid}-${names.length}-${Math.random().toString(36).slice(2, 8)}`;
      const buffer = addon!.create(name, bytes);
      names.push(name);
      return { name, buffer };
    },
    removeAll() {
      for (const name of names.splice(0)) addon!.unlink(name);
    },
  };
}

/** An Int32Array over `bytes` bytes of `buffer` at `offset`, plus its [offset, length] spec. */
export function slot(buffer: SharedArrayBuffer, offset: number, bytes: number): { view: Int32Array; spec: [number, number] } {
  return { view: new Int32Array(buffer, offset, bytes / 4), spec: [offset, bytes / 4] };
}

/** How soon after a holder's death a waiter must recover: generous for a loaded 2-core machine (~0.1 s idle). */
export const DEATH_BOUND_MS = 1_500;

/**
 * Runs `kill` (which resolves once a holder is dead), then awaits `waiting`, a wait that began
 * before; checks it ended within DEATH_BOUND_MS of the death and returns its outcome: 'ok', or
 * what it threw.
 */
export async function settleAfterDeath(t: TestContext, what: string, waiting: Promise<unknown>, kill: () => Promise<unknown>): Promise<unknown> {
  const outcome = waiting.then(
    () => 'ok',
    (e: unknown) => e,
  );
  await kill();
  const died = performance.now();
  const result = await outcome;
  const ms = performance.now() - died;
  t.diagnostic(`recovered ${ms.toFixed(0)} ms after ${what}`);
  assert.ok(ms < DEATH_BOUND_MS, `recovered ${ms.toFixed(0)} ms after ${what}`);
  return result;
}
