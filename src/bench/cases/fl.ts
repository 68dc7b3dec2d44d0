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

/**
 * One FL case per model configuration, so the study shows both ends the issue asks for: a light
 * configuration (many clients, few local steps each: the executor's per-task overhead shows) and a
 * heavy one (the CNN: compute dominates). Same runner, reports and check for both.
 */
function flCase(spec: { name: string; title: string; model: 'mlp' | 'cnn'; summary: string; sizes: { tiny: FlParams; quick: FlParams; full: FlParams } }) {
  return defineCase<FlParams, FlValue>({
    name: spec.name,
    title: spec.title,
    summary: spec.summary,
    sizes: spec.sizes,
    describeSize: (p) => `${p.rounds} rounds, ${p.clients} clients, ${Math.round(p.fraction * 100)}% per round, ${p.trainLimit || 60000} training images`,
    scaling: 'strong',
    series: [{ variant: 'sequential' }, { variant: 'thread' }, { variant: 'process+shm' }],
    async prepare({ params, variant, workers }) {
      const backend = BACKEND[variant];
      if (!backend) throw new Error(`${spec.name} has no variant ${variant}`);
      return {
        async run() {
          const r = await runFlBenchmark({ model: spec.model, backend, workers: backend === 'sequential' ? 1 : workers, rounds: params.rounds, clients: params.clients, fraction: params.fraction, trainLimit: params.trainLimit, testLimit: params.testLimit, seed: 1 });
          if (backend === 'sequential') reference.set(spec.name + JSON.stringify(params), r.paramsHash);
          return { value: { paramsHash: r.paramsHash, accuracy: r.accuracy }, ms: r.secondsPerRound.reduce((a, b) => a + b, 0) * 1000 };
        },
        async dispose() {},
      };
    },
    check(value, params) {
      const expected = reference.get(spec.name + JSON.stringify(params));
      const sameModel = expected === undefined || expected === value.paramsHash;
      return {
        ok: sameModel && value.accuracy >= params.minAccuracy,
        expected: `${expected ? `model ${expected.slice(0, 12)}, ` : ''}accuracy >= ${(params.minAccuracy * 100).toFixed(0)}%`,
        actual: `model ${value.paramsHash.slice(0, 12)}, accuracy ${(value.accuracy * 100).toFixed(1)}%`,
      };
    },
  });
}

/** Light: the MLP with many clients of few images, so each client is a few SGD steps and a round is ~100 small tasks. */
export const fl = flCase({
  name: 'fl',
  title: 'FL simulation, light (case 3)',
  model: 'mlp',
  summary: "FedAvg on MNIST with weft's FL simulator, MLP, many clients of a few local steps each (overhead shows); timed over the rounds; checked: the same final model on every backend, and accuracy above chance.",
  sizes: {
    tiny: { rounds: 1, clients: 8, fraction: 0.5, trainLimit: 800, testLimit: 200, minAccuracy: 0 },
    // Three SGD steps per client: the point is overhead, so accuracy only has to beat chance (10%).
    quick: { rounds: 2, clients: 200, fraction: 0.5, trainLimit: 6000, testLimit: 1000, minAccuracy: 0.11 },
    full: { rounds: 5, clients: 1000, fraction: 0.1, trainLimit: 0, testLimit: 0, minAccuracy: 0.3 },
  },
});

/** Heavy: the FedAvg paper's CNN, where local training dominates a round. */
export const flCnn = flCase({
  name: 'fl-cnn',
  title: 'FL simulation, heavy CNN (case 3)',
  model: 'cnn',
  summary: "FedAvg on MNIST with weft's FL simulator, the FedAvg paper's CNN (compute dominates); timed over the rounds; checked: the same final model on every backend, and accuracy above chance.",
  sizes: {
    tiny: { rounds: 1, clients: 4, fraction: 0.5, trainLimit: 200, testLimit: 100, minAccuracy: 0 },
    quick: { rounds: 1, clients: 10, fraction: 0.4, trainLimit: 2000, testLimit: 500, minAccuracy: 0.15 },
    full: { rounds: 2, clients: 100, fraction: 0.1, trainLimit: 0, testLimit: 1000, minAccuracy: 0.5 },
  },
});
