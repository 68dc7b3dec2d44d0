/** The shared words through which the sampler thread reports peaks (in KiB, so they fit an Int32). */
import type { TreeMemory } from './proc.js';

export const SLOT = {
  /** Set to 1 to stop the sampler. */
  stop: 0,
  /** Bumped at every reset; a sample taken across a reset is dropped. */
  generation: 1,
  peakUnique: 2,
  peakRssSum: 3,
  samples: 4,
  count: 5,
} as const;

function raise(slots: Int32Array, index: number, value: number): void {
  for (;;) {
    const current = Atomics.load(slots, index);
    if (value <= current || Atomics.compareExchange(slots, index, current, value) === current) return;
  }
}

/** Folds a sample into the peaks, unless a reset happened since `generation` was read. */
export function updatePeaks(slots: Int32Array, sample: TreeMemory, generation: number): void {
  if (Atomics.load(slots, SLOT.generation) !== generation) return;
  raise(slots, SLOT.peakUnique, Math.ceil(sample.unique / 1024));
  raise(slots, SLOT.peakRssSum, Math.ceil(sample.rssSum / 1024));
  Atomics.add(slots, SLOT.samples, 1);
}
