/**
 * Case 3 of the talk: a federated-learning simulation (FedAvg on MNIST) through weft's FL
 * simulator, with the clients trained one after another, on worker threads, or on processes over
 * shared memory. The timed section is the rounds (training + aggregation), start-up excluded; the
 * check is that every backend ends with the same model (the simulator is deterministic) and learns.
 */
import { runFlBenchmark } from '../../fl/sim/benchmark.js';
import { defineCase } from '../types.js';
import type { VariantName } from '../variants.js';

/** Size parameters. */
export interface FlParams {
  rounds: number;
  clients: number;
  fraction: number;
  trainLimit: number;
  testLimit: number;
  /** Test accuracy the final model must reach (the tiny size only checks the models agree). */
  minAccuracy: number;
}

/** What one run ends with. */
export interface FlValue {
  paramsHash: string;
  accuracy: number;
}

const BACKEND: Partial<Record<VariantName, 'sequential' | 'thread' | 'process'>> = {
  sequential: 'sequential',
  thread: 'thread',
  'process+shm': 'process',
};

// The sequential run's final model, per size: every other backend must end with the same one.
const reference = new Map<string, string>();

export const fl = defineCase<FlParams, FlValue>({
  name: 'fl',
  title: 'FL simulation (case 3)',
  summary: "FedAvg on MNIST with weft's FL simulator (MLP, IID); timed over the rounds; checked: the same final model on every backend, and accuracy above chance.",
  sizes: {
    tiny: { rounds: 1, clients: 8, fraction: 0.5, trainLimit: 800, testLimit: 200, minAccuracy: 0 },
    quick: { rounds: 2, clients: 20, fraction: 0.5, trainLimit: 6000, testLimit: 1000, minAccuracy: 0.2 },
    full: { rounds: 5, clients: 100, fraction: 0.1, trainLimit: 0, testLimit: 0, minAccuracy: 0.5 },
  },
  describeSize: (p) => `${p.rounds} rounds, ${p.clients} clients, ${Math.round(p.fraction * 100)}% per round, ${p.trainLimit || 60000} training images`,
  scaling: 'strong',
  series: [{ variant: 'sequential' }, { variant: 'thread' }, { variant: 'process+shm' }],
  async prepare({ params, variant, workers }) {
    const backend = BACKEND[variant];
    if (!backend) throw new Error(`fl has no variant ${variant}`);
    return {
      async run() {
        const r = await runFlBenchmark({ backend, workers: backend === 'sequential' ? 1 : workers, rounds: params.rounds, clients: params.clients, fraction: params.fraction, trainLimit: params.trainLimit, testLimit: params.testLimit, seed: 1 });
        if (backend === 'sequential') reference.set(JSON.stringify(params), r.paramsHash);
        return { value: { paramsHash: r.paramsHash, accuracy: r.accuracy }, ms: r.secondsPerRound.reduce((a, b) => a + b, 0) * 1000 };
      },
      async dispose() {},
    };
  },
  check(value, params) {
    const expected = reference.get(JSON.stringify(params));
    const sameModel = expected === undefined || expected === value.paramsHash;
    return {
      ok: sameModel && value.accuracy >= params.minAccuracy,
      expected: `${expected ? `model ${expected.slice(0, 12)}, ` : ''}accuracy >= ${(params.minAccuracy * 100).toFixed(0)}%`,
      actual: `model ${value.paramsHash.slice(0, 12)}, accuracy ${(value.accuracy * 100).toFixed(1)}%`,
    };
  },
});
