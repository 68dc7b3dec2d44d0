/**
 * Chrome Trace Event export: the JSON object format (`{ traceEvents: [...] }`) that Perfetto and
 * chrome://tracing open as is. One process, one lane (tid) per worker plus the pool's own lane for
 * message costs; tasks are complete (`X`) slices named after their task function.
 */
import type { TelemetrySnapshot } from './recorder.js';
import type { LockWait } from './locks.js';

/** One trace event (the subset of fields weft writes). */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'M' | 'i';
  /** Microseconds from the trace's origin. */
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

/** A trace file's content. */
export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, unknown>;
}

const PID = 1;
const MAIN_TID = 0;

/** The trace of `data` (and of any timed lock waits), with lane names as metadata events. */
export function toTrace(data: TelemetrySnapshot, lockWaits: readonly LockWait[] = []): TraceFile {
  const us = (epochMs: number): number => Math.round((epochMs - data.origin) * 1000);
  const lanes = new Map<string, number>();
  data.workers.forEach((w, i) => lanes.set(w.name, i + 1));
  const tidOf = (worker: string): number => {
    let tid = lanes.get(worker);
    if (tid === undefined) lanes.set(worker, (tid = lanes.size + 1));
    return tid;
  };
  const events: TraceEvent[] = [];
  for (const t of data.tasks) {
    events.push({
      name: t.name, ph: 'X', cat: 'task', ts: us(t.startedAt), dur: Math.max(1, Math.round(t.runMs * 1000)), pid: PID, tid: tidOf(t.worker),
      args: { id: t.id, outcome: t.outcome, queueWaitMs: round3(t.startedAt - t.enqueuedAt), returnMs: round3(t.receivedAt - t.startedAt - t.runMs) },
    });
  }
  for (const m of data.sends) {
    events.push({ name: `send → ${m.worker}`, ph: 'X', cat: 'message', ts: us(m.at - m.ms), dur: Math.max(1, Math.round(m.ms * 1000)), pid: PID, tid: MAIN_TID, args: { tasks: m.count } });
  }
  for (const m of data.receives) {
    events.push({ name: `receive ← ${m.worker}`, ph: 'X', cat: 'message', ts: us(m.at - m.ms), dur: Math.max(1, Math.round(m.ms * 1000)), pid: PID, tid: MAIN_TID, args: { results: m.count } });
  }
  for (const f of data.failures) {
    events.push({ name: `${f.name} failed`, ph: 'i', s: 't', cat: 'failure', ts: us(f.at), pid: PID, tid: f.worker ? tidOf(f.worker) : MAIN_TID, args: { id: f.id, error: f.error } });
  }
  for (const w of lockWaits) {
    events.push({ name: `wait ${w.lock}`, ph: 'X', cat: 'lock', ts: us(w.start), dur: Math.max(1, Math.round((w.end - w.start) * 1000)), pid: PID, tid: w.lane === undefined ? MAIN_TID : tidOf(w.lane) });
  }
  const meta: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: MAIN_TID, args: { name: 'weft pool' } },
    { name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: MAIN_TID, args: { name: 'main (pool)' } },
    { name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid: MAIN_TID, args: { sort_index: 0 } },
  ];
  for (const [name, tid] of lanes) {
    meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid, args: { name } });
    meta.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid, args: { sort_index: tid } });
  }
  events.sort((a, b) => a.ts - b.ts);
  return { traceEvents: [...meta, ...events], displayTimeUnit: 'ms', otherData: { producer: 'weft profile', originEpochMs: data.origin } };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
