/** Several pools' snapshots as one: worker names get their pool's tag when there is more than one pool. */
import { byWorkerName, type TelemetrySnapshot } from './recorder.js';

/** Merges `parts` (tag → snapshot) into one snapshot; a single pool keeps its plain worker names. */
export function combineSnapshots(parts: readonly { tag: string; data: TelemetrySnapshot }[], rename = parts.length > 1): TelemetrySnapshot {
  const lane = (tag: string, w: string): string => (rename ? `${tag}/${w}` : w);
  const out: TelemetrySnapshot = { origin: Infinity, takenAt: 0, tasks: [], failures: [], sends: [], receives: [], workers: [], locks: [] };
  for (const { tag, data } of parts) {
    out.origin = Math.min(out.origin, data.origin);
    out.takenAt = Math.max(out.takenAt, data.takenAt);
    out.tasks.push(...data.tasks.map((t) => (rename ? { ...t, worker: lane(tag, t.worker) } : t)));
    out.failures.push(...data.failures.map((f) => ({ ...f, worker: f.worker && lane(tag, f.worker) })));
    out.sends.push(...data.sends.map((m) => ({ ...m, worker: lane(tag, m.worker) })));
    out.receives.push(...data.receives.map((m) => ({ ...m, worker: lane(tag, m.worker) })));
    out.workers.push(...data.workers.map((w) => ({ ...w, name: lane(tag, w.name) })));
    out.locks.push(...data.locks);
  }
  if (!Number.isFinite(out.origin)) out.origin = out.takenAt;
  out.workers.sort((a, b) => byWorkerName(a.name, b.name));
  return out;
}
