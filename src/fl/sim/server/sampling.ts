/** Uniform client sampling without replacement, from the server's own stream. */
import type { Rng } from '../../rng.js';
import { FlArgumentError } from '../../errors.js';

/**
 * `count` distinct ids from `0 .. clients - 1`, ascending. A partial Fisher-Yates shuffle: `count` draws
 * from `rng` whatever `clients` is, so the stream advances the same way on every backend.
 */
export function sampleWithoutReplacement(clients: number, count: number, rng: Rng): number[] {
  if (!Number.isInteger(count) || count < 0 || count > clients) {
    throw new FlArgumentError(`cannot sample ${count} of ${clients} clients`);
  }
  const ids = Array.from({ length: clients }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(clients - i);
    const t = ids[i];
    ids[i] = ids[j];
    ids[j] = t;
  }
  return ids.slice(0, count).sort((a, b) => a - b);
}
