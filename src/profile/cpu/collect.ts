/** The parent's side of worker CPU profiles: the profiled module's URL, and asking workers to write their profiles. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoggedWait } from '../locks.js';
import { siblingModule } from '../../pool/sibling-module.js';

/** The URL a pool loads instead of `moduleUrl`, so each worker profiles itself (see profiled-module.ts). */
export function profiledModuleUrl(moduleUrl: string, dir: string, tag: string, intervalUs: number, cpu = true): string {
  const url = siblingModule('./profiled-module', import.meta.url);
  url.searchParams.set('target', moduleUrl);
  url.searchParams.set('dir', dir);
  url.searchParams.set('tag', tag);
  url.searchParams.set('interval', String(intervalUs));
  if (!cpu) url.searchParams.set('cpu', '0');
  return url.href;
}

/** What a worker wrote next to its profile. */
export interface WorkerProfileMeta {
  self: string;
  tag: string;
  pid: number;
  threadId: number;
  loadedAt: number;
  /** Whether `file` was written (false when the session takes no CPU profiles). */
  cpu: boolean;
  /** The worker's contended lock waits. */
  waits: LoggedWait[];
  droppedWaits: number;
  /** The worker could not load the user's module: it has no profile, only this meta file (so that a flush need not wait for it). */
  loadFailed?: boolean;
  file: string;
}

/**
 * Asks every worker of pool `tag` to write its profile and waits (up to `timeoutMs`) until as many have as
 * `expected()` says are alive: asked again while waiting, so workers that end meanwhile without writing (a pool
 * whose module failed to load ends its starting workers) are not waited for.
 */
export async function flushWorkerProfiles(dir: string, tag: string, expected: () => number, timeoutMs = 5000): Promise<void> {
  writeFileSync(join(dir, `flush-${tag}`), '');
  const deadline = Date.now() + timeoutMs;
  while (workerProfiles(dir, tag).length < expected() && Date.now() < deadline) await sleep(10);
}

/**
 * {@link flushWorkerProfiles} for a process that is exiting: it blocks this thread while it waits, which the
 * workers do not need (they run on their own threads and processes).
 */
export function flushWorkerProfilesSync(dir: string, tag: string, expected: number, timeoutMs = 3000): void {
  writeFileSync(join(dir, `flush-${tag}`), '');
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (workerProfiles(dir, tag).length < expected && Date.now() < deadline) Atomics.wait(nap, 0, 0, 10);
}

/** The profiles that pool `tag`'s workers have written so far. */
export function workerProfiles(dir: string, tag: string): WorkerProfileMeta[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${tag}-`) && f.endsWith('.meta.json'))
    .map((f) => {
      const meta = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<WorkerProfileMeta, 'file'>;
      return { ...meta, file: join(dir, f.replace(/\.meta\.json$/, '.cpuprofile')) };
    });
}

/**
 * Pairs worker profiles with the pool's worker names: a worker loads its module just before it reports ready,
 * so in load order the n-th profile is the n-th worker to become ready.
 */
export function matchWorkers(profiles: readonly WorkerProfileMeta[], ready: readonly { name: string; readyAt: number }[]): Map<WorkerProfileMeta, string> {
  const byLoad = [...profiles].sort((a, b) => a.loadedAt - b.loadedAt);
  const names = new Map<WorkerProfileMeta, string>();
  const taken = new Set<string>();
  for (const p of byLoad) {
    const next = ready.find((r) => !taken.has(r.name) && r.readyAt >= p.loadedAt - 1);
    if (next) {
      taken.add(next.name);
      names.set(p, next.name);
    } else {
      names.set(p, p.self);
    }
  }
  return names;
}
