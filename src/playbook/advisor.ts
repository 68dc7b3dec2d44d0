/**
 * The talk's decision chart for Node, as a pure function from what is known about a workload to
 * a recommendation, the path taken through the chart, and the measured figures behind it.
 *
 *   more than one machine?          -> the cluster backend (weft worker on each machine); on each, the rest of the chart
 *   I/O-bound (waiting, not computing)? -> the event loop (async I/O), no workers
 *   CPU-bound:
 *     crash containment needed?     -> processes (+ /dev/shm if they share data)
 *     shares data (>= 1 MB)?        -> threads with shared memory
 *     otherwise                     -> threads (processes are close): measure your task
 */
import { EVIDENCE, type Evidence } from './evidence.js';

/** What is known about the workload; anything left out is not assumed. */
export interface Workload {
  ioBound?: boolean;
  cpuBound?: boolean;
  /** Megabytes of data every task reads (a model, a big array). */
  sharedDataMb?: number;
  /** Machines the work must run on. */
  machines?: number;
  /** Whether a crash in one task (exit, segfault, out of memory) must not take down the caller. */
  isolation?: boolean;
}

export type Recommendation = 'distributed' | 'event-loop' | 'event-loop+threads' | 'thread' | 'thread+shared' | 'process' | 'process+shm' | 'measure';

export interface Advice {
  recommendation: Recommendation;
  /** One line: what to use, in weft terms. */
  summary: string;
  /** The questions of the chart and the answers that led here. */
  path: string[];
  evidence: Evidence[];
}

/** Below this, sharing data is not what decides: copying it per task costs little. */
export const SHARED_DATA_THRESHOLD_MB = 1;

export function advise(workload: Workload): Advice {
  const path: string[] = [];
  const machines = workload.machines ?? 1;
  if (machines > 1) {
    path.push(`more than one machine (${machines}): yes`);
    const perMachine = workload.cpuBound || workload.ioBound ? advise({ ...workload, machines: 1 }) : undefined;
    return {
      recommendation: 'distributed',
      summary:
        "weft's cluster backend: createPool({ backend: 'cluster', connection: 'redis://...' }) with `weft worker --module <tasks>` on each machine (docs/cluster.md)" +
        (perMachine ? `, and on each machine: ${perMachine.summary}` : ''),
      path: [...path, ...(perMachine ? perMachine.path.slice(1).map((p) => `on each machine, ${p}`) : [])],
      evidence: [EVIDENCE.oneMachineCeiling, EVIDENCE.cluster, ...(perMachine?.evidence ?? [])],
    };
  }
  path.push('more than one machine: no');
  if (workload.ioBound && !workload.cpuBound) {
    path.push('I/O-bound: yes');
    return {
      recommendation: 'event-loop',
      summary: "the event loop: async I/O (fs/promises, fetch, streams) with Promise.all; no workers, they would only add message cost",
      path,
      evidence: [EVIDENCE.eventLoopNoSpeedup, EVIDENCE.messageCost],
    };
  }
  if (!workload.cpuBound) {
    path.push('I/O-bound or CPU-bound: not said');
    return {
      recommendation: 'measure',
      summary: "measure it: weft advise --module <tasks.js> --task <name> --args '[...]' times your task inline, on threads and on processes",
      path,
      evidence: [EVIDENCE.messageCost, EVIDENCE.threadsScale],
    };
  }
  if (workload.ioBound) path.push('I/O-bound: partly (and CPU-bound)');
  else path.push('I/O-bound: no', 'CPU-bound: yes');
  const shared = (workload.sharedDataMb ?? 0) >= SHARED_DATA_THRESHOLD_MB;
  const sharedText = workload.sharedDataMb === undefined ? 'not said' : `${workload.sharedDataMb} MB (${shared ? 'yes' : `no, under ${SHARED_DATA_THRESHOLD_MB} MB`})`;
  const withIo = workload.ioBound ? 'keep the I/O on the event loop and send the CPU work to ' : '';
  if (workload.isolation) {
    path.push('crash containment needed: yes', `shared data: ${sharedText}`);
    return {
      recommendation: shared ? 'process+shm' : 'process',
      summary: shared
        ? `${withIo}processes with the data in shared memory: createPool({ backend: 'process' }) and sharedArray(..., { placement: 'mapped' })`
        : `${withIo}processes: createPool({ backend: 'process' }); a crash fails one task and its worker is replaced`,
      path,
      evidence: [EVIDENCE.isolation, EVIDENCE.processesScale, ...(shared ? [EVIDENCE.processShm] : [])],
    };
  }
  path.push('crash containment needed: no', `shared data: ${sharedText}`);
  if (shared) {
    return {
      recommendation: workload.ioBound ? 'event-loop+threads' : 'thread+shared',
      summary: `${withIo}worker threads sharing the data: createPool({ backend: 'thread' }) and sharedArray(...) (a SharedArrayBuffer, zero copies)`,
      path,
      evidence: [EVIDENCE.sharedBeatsCopies, EVIDENCE.flThreads, EVIDENCE.threadsScale],
    };
  }
  return {
    recommendation: workload.ioBound ? 'event-loop+threads' : 'thread',
    summary: `${withIo}worker threads: createPool({ backend: 'thread' }); processes are close behind, so measure your task (or use backend: 'auto')`,
    path,
    evidence: [EVIDENCE.threadsScale, EVIDENCE.processesScale, EVIDENCE.messageCost],
  };
}
