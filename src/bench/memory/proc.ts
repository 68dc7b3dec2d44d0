/**
 * Resident memory of a process tree, read from Linux's /proc. Cheap enough (a few small files per
 * process) to sample every few milliseconds from a helper thread.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Resident memory of a process tree, in bytes. */
export interface TreeMemory {
  /**
   * Pages shared between processes counted once: every process's private anonymous memory, plus
   * the largest shared-memory (/dev/shm, SharedArrayBuffer mappings shared across processes) and
   * file-backed residency of any one process. Exact when one process (here the parent, which
   * fills the data) has touched every shared page; otherwise a slight undercount.
   */
  unique: number;
  /** Plain sum of every process's VmRSS: shared pages counted once per process that touched them. */
  rssSum: number;
  /** Processes seen. */
  processes: number;
}

interface Status {
  rss: number;
  anon: number;
  file: number;
  shmem: number;
}

function readStatus(pid: number): Status | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined; // exited meanwhile
  }
  const kb = (key: string): number => {
    const at = text.indexOf(`\n${key}:`);
    return at < 0 ? 0 : Number.parseInt(text.slice(at + key.length + 2), 10) * 1024;
  };
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

/** `pid` and all its descendants (through every thread's children list). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    out.push(next);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${next}/task/${tid}/children`, 'latin1').split(' ')) {
          if (child.trim()) pending.push(Number(child));
        }
      } catch {
        // thread or process gone
      }
    }
  }
  return out;
}

/** True when /proc gives what {@link treeMemory} needs. */
export function procAvailable(): boolean {
  return readStatus(process.pid) !== undefined;
}

/** Resident memory of `pid` and its descendants now. */
export function treeMemory(pid: number = process.pid): TreeMemory {
  let anon = 0;
  let shmem = 0;
  let file = 0;
  let rssSum = 0;
  let processes = 0;
  for (const p of processTree(pid)) {
    const s = readStatus(p);
    if (!s) continue;
    processes++;
    anon += s.anon;
    shmem = Math.max(shmem, s.shmem);
    file = Math.max(file, s.file);
    rssSum += s.rss;
  }
  return { unique: anon + shmem + file, rssSum, processes };
}
