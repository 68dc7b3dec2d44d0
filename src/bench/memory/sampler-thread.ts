/**
 * The memory sampler's thread: samples the process tree every few milliseconds and keeps the
 * peaks in shared memory, so sampling goes on while the main thread is busy (the sequential and
 * event-loop variants block it).
 */
import { workerData } from 'node:worker_threads';
import { treeMemory } from './proc.js';
import { SLOT, updatePeaks } from './slots.js';

const { slots, pid, intervalMs } = workerData as { slots: Int32Array; pid: number; intervalMs: number };

while (Atomics.load(slots, SLOT.stop) === 0) {
  const generation = Atomics.load(slots, SLOT.generation);
  updatePeaks(slots, treeMemory(pid), generation);
  Atomics.wait(slots, SLOT.stop, 0, intervalMs);
}
