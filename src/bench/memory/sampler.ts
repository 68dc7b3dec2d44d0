/**
 * Peak memory of this process and its children (worker processes, Python peers) while a series
 * is set up and run. A helper thread samples /proc every few milliseconds; the peak is the
 * highest sample, so a spike shorter than the interval can be missed (see {@link TreeMemory}).
 */
import type { Worker } from 'node:worker_threads';
import { startThread } from '../../sync/thread.js';
import { siblingModule } from '../../pool/sibling-module.js';
import type { MemoryUse } from '../types.js';
import { procAvailable, treeMemory } from './proc.js';
import { SLOT, updatePeaks } from './slots.js';

/** Default sampling interval in milliseconds. */
export const SAMPLE_INTERVAL_MS = 5;

export class MemorySampler {
  private baseline = 0;

  private constructor(
    private readonly slots: Int32Array,
    private readonly worker: Worker | undefined,
  ) {}

  /** Starts sampling; without /proc (not Linux) it measures nothing and reports undefined. */
  static async start(intervalMs = SAMPLE_INTERVAL_MS): Promise<MemorySampler> {
    const slots = new Int32Array(new SharedArrayBuffer(SLOT.count * 4));
    if (!procAvailable()) return new MemorySampler(slots, undefined);
    // startThread loads a .ts module under tsx too (tsx's loader does not reach threads by itself).
    const worker = startThread(siblingModule('./sampler-thread', import.meta.url), {
      workerData: { slots, pid: process.pid, intervalMs },
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    worker.unref(); // only now: while it starts, it is what keeps the event loop waiting
    return new MemorySampler(slots, worker);
  }

  /** Starts a new measurement: the current memory is its baseline and first peak. */
  begin(): void {
    if (!this.worker) return;
    Atomics.add(this.slots, SLOT.generation, 1);
    Atomics.store(this.slots, SLOT.peakUnique, 0);
    Atomics.store(this.slots, SLOT.peakRssSum, 0);
    Atomics.store(this.slots, SLOT.samples, 0);
    const now = treeMemory();
    this.baseline = now.unique;
    updatePeaks(this.slots, now, Atomics.load(this.slots, SLOT.generation));
  }

  /** Ends the measurement begun by {@link begin}, taking one last sample. */
  end(): MemoryUse | undefined {
    if (!this.worker) return undefined;
    updatePeaks(this.slots, treeMemory(), Atomics.load(this.slots, SLOT.generation));
    return {
      baseline: this.baseline,
      peak: Atomics.load(this.slots, SLOT.peakUnique) * 1024,
      peakRssSum: Atomics.load(this.slots, SLOT.peakRssSum) * 1024,
      samples: Atomics.load(this.slots, SLOT.samples),
    };
  }

  /** Stops the sampling thread. */
  async stop(): Promise<void> {
    if (!this.worker) return;
    Atomics.store(this.slots, SLOT.stop, 1);
    Atomics.notify(this.slots, SLOT.stop);
    await this.worker.terminate();
  }
}
