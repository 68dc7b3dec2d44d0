/**
 * A profiling session: the pools it makes (or that the create-pool hook routes to it) record telemetry and,
 * unless turned off, CPU-profile every worker; the calling thread is CPU-profiled too. `finish()` writes
 * trace.json, summary.json, report.html and the .cpuprofile files into `out`.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { combineObservers } from '../pool/observer.js';
import type { PoolOptions } from '../pool/options.js';
import { Pool } from '../pool/pool.js';
import { toModuleUrl } from '../pool/worker/load-module.js';
import type { AnyFunction } from '../pool/types.js';
import { combineSnapshots } from './combine.js';
import { USER_MODULE } from '../pool/options.js';
import { flushWorkerProfiles, flushWorkerProfilesSync, matchWorkers, profiledModuleUrl, workerProfiles } from './cpu/collect.js';
import { startThreadProfiler, type RunningProfiler } from './cpu/main-profiler.js';
import { merge, summarise, type CpuProfile, type ProfileSummary } from './cpu/summary.js';
import { WaitLog, type LockWait } from './locks.js';
import { lockSummary, Recorder, type Watchable } from './recorder.js';
import { profileCharts } from './report/charts.js';
import { toProfileHtml } from './report/page.js';
import { buildReport, type ProfileReport } from './summary.js';
import { toTrace } from './trace.js';

/** Options of a profiling session. */
export interface ProfileOptions {
  /** Directory for the files. Default: `weft-profile` in the working directory. */
  out?: string;
  /** CPU profiles of the calling thread and every worker. Default: true. */
  cpu?: boolean;
  /** Sampling interval of the CPU profiler, in microseconds. Default: 500. */
  samplingIntervalUs?: number;
  /** The report's title. */
  title?: string;
  /** Record tasks that fail without a result (timeouts, aborts, crashes); costs the pool a closure per task. Default: true. */
  failures?: boolean;
}

/** The files a session wrote and the figures in summary.json. */
export interface ProfileResult {
  files: { trace: string; summary: string; report: string; cpuProfiles: string[] };
  summary: ProfileReport;
}

interface Tracked {
  tag: string;
  recorder: Recorder;
  pool: Pool;
  /** Its workers run the profiled module (threads and processes; not inline), so they write a meta file (and a CPU profile) at flush. */
  profiledWorkers: boolean;
  flushed: boolean;
}

/** A profiling session; see {@link profile} for the usual way in. */
export class ProfileSession {
  /** Absolute output directory. */
  readonly out: string;
  /** Timed lock waits to draw as trace slices (fill it with `timedLock`). */
  readonly lockWaits: LockWait[] = [];
  private readonly cpu: boolean;
  private readonly intervalUs: number;
  private readonly cpuDir: string;
  private readonly pools: Tracked[] = [];
  private readonly locks: { name: string; lock: Watchable }[] = [];
  private readonly mainProfiler: RunningProfiler | null;
  /** Contended waits of the calling thread (and so of inline pools' tasks). */
  private readonly mainWaits = new WaitLog();
  private readonly startedAt = performance.now();
  private readonly title: string;
  private readonly failures: boolean;
  private result: ProfileResult | undefined;

  constructor(options: ProfileOptions = {}) {
    this.out = resolve(options.out ?? 'weft-profile');
    this.cpu = options.cpu ?? true;
    this.intervalUs = options.samplingIntervalUs ?? 500;
    this.title = options.title ?? 'weft profile';
    this.failures = options.failures ?? true;
    this.cpuDir = join(this.out, 'cpu');
    mkdirSync(this.cpuDir, { recursive: true });
    // Profiles left by an earlier session in the same directory would be read as this one's.
    for (const f of readdirSync(this.cpuDir)) if (/^flush-|\.cpuprofile$|\.meta\.json$/.test(f)) rmSync(join(this.cpuDir, f), { force: true });
    this.mainProfiler = this.cpu ? startThreadProfiler(this.intervalUs) : null;
  }

  /** A pool like `createPool(options)`'s, recorded and (threads and processes) CPU-profiled by this session. */
  createPool<M = Record<string, AnyFunction>>(options: PoolOptions): Pool<M> {
    return this.instrument(options, (o) => new Pool(o)) as unknown as Pool<M>;
  }

  /**
   * Builds a pool through `make` with this session's observer and profiled module, and makes its `close()` and
   * `destroy()` collect the workers' CPU profiles first (the workers are gone afterwards). This is the create-pool hook.
   */
  instrument(options: PoolOptions, make: (options: PoolOptions) => Pool): Pool {
    const tag = `pool-${this.pools.length + 1}`;
    const recorder = new Recorder({ failures: this.failures });
    const backend = options.backend ?? 'thread';
    // An inline pool runs on this thread, which the main profiler already samples and the main wait log sees.
    const profiledWorkers = backend !== 'inline';
    const userModule = toModuleUrl(options.module);
    const module = profiledWorkers ? profiledModuleUrl(userModule, this.cpuDir, tag, this.intervalUs, this.cpu) : options.module;
    const pool = make({ ...options, module, [USER_MODULE]: userModule, observer: combineObservers(recorder, options.observer) } as PoolOptions);
    const tracked: Tracked = { tag, recorder, pool, profiledWorkers, flushed: false };
    this.pools.push(tracked);
    const close = pool.close.bind(pool);
    const destroy = pool.destroy.bind(pool);
    pool.close = async () => {
      await this.flush(tracked);
      return close();
    };
    pool.destroy = async () => {
      await this.flush(tracked);
      return destroy();
    };
    return pool;
  }

  /** Reports `lock`'s contention statistics (create it with `{ stats: true }`) in this session's report. */
  watchLock(name: string, lock: Watchable): this {
    this.locks.push({ name, lock });
    return this;
  }

  /** Collects the workers' profiles of pools still open, stops the main profiler and writes every file. */
  async finish(): Promise<ProfileResult> {
    for (const p of this.pools) await this.flush(p);
    return this.finishNow();
  }

  /**
   * The synchronous end, for a process that is exiting (no awaiting there): workers of pools still open are asked
   * for their profiles and waited for by blocking this thread (their own threads and processes still run), then
   * everything is written.
   */
  finishNow(): ProfileResult {
    if (this.result) return this.result;
    for (const p of this.pools) {
      if (p.flushed) continue;
      p.flushed = true;
      if (p.profiledWorkers) flushWorkerProfilesSync(this.cpuDir, p.tag, p.recorder.liveWorkers().length);
    }
    this.mainWaits.stop();
    const wallMs = performance.now() - this.startedAt;
    const files = { trace: join(this.out, 'trace.json'), summary: join(this.out, 'summary.json'), report: join(this.out, 'report.html'), cpuProfiles: [] as string[] };
    const cpu: ProfileReport['cpu'] = { overall: null, main: null, workers: [] };
    const mainProfile = this.mainProfiler?.stop() ?? null;
    if (mainProfile) {
      const file = join(this.cpuDir, 'main.cpuprofile');
      writeFileSync(file, JSON.stringify(mainProfile));
      files.cpuProfiles.push(file);
      cpu.main = summarise('main', mainProfile, 25, file);
    }
    const single = this.pools.length === 1;
    // The session's locks are read once here, for the contention table and to name the waits in the trace.
    const locks = this.locks.map(({ name, lock }) => lockSummary(name, lock));
    const lockNameById = new Map(locks.map((l) => [l.id, l.name]));
    const lockNames = (id: number): string => lockNameById.get(id) ?? `lock ${id}`;
    const lockWaits: LockWait[] = [...this.lockWaits, ...this.mainWaits.waits.map((w) => ({ lock: lockNames(w.id), start: w.start, end: w.end }))];
    for (const p of this.pools) {
      const found = workerProfiles(this.cpuDir, p.tag);
      for (const meta of found) rmSync(meta.file.replace(/\.cpuprofile$/, '.meta.json'), { force: true });
      // A worker that could not load the module left only its meta file.
      const metas = found.filter((meta) => !meta.loadFailed);
      const names = matchWorkers(metas, p.recorder.readyTimes());
      for (const meta of metas) {
        const name = single ? names.get(meta)! : `${p.tag}/${names.get(meta)!}`;
        for (const w of meta.waits) lockWaits.push({ lock: lockNames(w.id), start: w.start, end: w.end, lane: name });
        if (!meta.cpu) continue;
        const profile = JSON.parse(readFileSync(meta.file, 'utf8')) as CpuProfile;
        // Named after the pool's worker (thread-1.cpuprofile), not the worker's own thread id or pid.
        const file = join(this.cpuDir, `${name.replace(/[^\w.-]+/g, '-').replace(/-+$/, '')}.cpuprofile`);
        renameSync(meta.file, file);
        files.cpuProfiles.push(file);
        cpu.workers.push(summarise(name, profile, 25, file));
      }
    }
    cpu.workers.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    const all: ProfileSummary[] = [...(cpu.main ? [cpu.main] : []), ...cpu.workers];
    if (all.length > 0) cpu.overall = merge('all', all);
    const data = { ...combineSnapshots(this.pools.map((p) => ({ tag: p.tag, data: p.recorder.snapshot() }))), locks };
    // The flush requests have done their job; a later session in the same directory must not see them.
    for (const p of this.pools) rmSync(join(this.cpuDir, `flush-${p.tag}`), { force: true });
    writeFileSync(files.trace, JSON.stringify(toTrace(data, lockWaits)));
    const summary = buildReport(data, cpu, wallMs, { trace: files.trace, summary: files.summary, report: files.report, cpu: this.cpuDir });
    writeFileSync(files.summary, JSON.stringify(summary, null, 2));
    writeFileSync(files.report, toProfileHtml(summary, profileCharts(data), this.title));
    this.result = { files, summary };
    return this.result;
  }

  private async flush(p: Tracked): Promise<void> {
    if (p.flushed) return;
    p.flushed = true;
    if (p.profiledWorkers) await flushWorkerProfiles(this.cpuDir, p.tag, () => p.recorder.liveWorkers().length);
  }
}
