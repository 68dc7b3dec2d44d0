/**
 * Case 3 of the talk: a federated-learning simulation (FedAvg on MNIST) through weft's FL
 * simulator, with the clients trained one after another, on worker threads, or on processes over
 * shared memory. The timed section is the rounds (training + aggregation), start-up excluded; the
 * check is that every backend ends with the same model (the simulator is deterministic) and learns.
 * PyTorch is a peer when it is installed: it replays the same schedule (src/fl/sim/replay-plan.ts) from the
 * same initial model, once with each BLAS found, sequentially and on processes.
 */
import { runFlBenchmark } from '../../fl/sim/benchmark.js';
import type { SimConfigInput } from '../../fl/sim/config.js';
import { prepareTorchPeer, TORCH_SERIES } from '../python/torch-peer.js';
import { defineCase, type RoundFigure } from '../types.js';
import { VARIANTS, type VariantName } from '../variants.js';

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
  /** The final model's hash (weft's series only: PyTorch's model is in its own layout and rounding). */
  paramsHash?: string;
  accuracy: number;
  rounds: RoundFigure[];
  /** The PyTorch peer's BLAS (as it found it mapped) and version. */
  blas?: string;
  torch?: string;
}

const BACKEND: Partial<Record<VariantName, 'sequential' | 'thread' | 'process'>> = {
  sequential: 'sequential',
  thread: 'thread',
  'process+shm': 'process',
};

// The sequential run's final model and accuracy, per size: every other backend must end with the same model,
// and PyTorch, replaying the same schedule, near the same accuracy.
const reference = new Map<string, { hash: string; accuracy: number }>();

// PyTorch trains the same model to within float32 rounding of weft's (test/bench/fl-torch.test.ts); over a
// few rounds that can flip a few test images, not more.
const TORCH_ACCURACY_SLACK = 0.02;

function simConfig(model: 'mlp' | 'cnn', params: FlParams) {
  return { model, rounds: params.rounds, clients: params.clients, fraction: params.fraction, trainLimit: params.trainLimit, testLimit: params.testLimit, seed: 1 } satisfies SimConfigInput;
}

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
    series: [{ variant: 'sequential' }, { variant: 'thread' }, { variant: 'process+shm' }, ...TORCH_SERIES],
    async prepare(context) {
      const { params, variant, workers } = context;
      if (VARIANTS[variant].needsTorch) return prepareTorchPeer(simConfig(spec.model, params), context);
      const backend = BACKEND[variant];
      if (!backend) throw new Error(`${spec.name} has no variant ${variant}`);
      return {
        async run() {
          const r = await runFlBenchmark({ ...simConfig(spec.model, params), backend, workers: backend === 'sequential' ? 1 : workers, evalEvery: 1 });
          if (backend === 'sequential') reference.set(spec.name + JSON.stringify(params), { hash: r.paramsHash, accuracy: r.accuracy });
          const rounds = r.secondsPerRound.map((s, i) => ({ ms: s * 1000, accuracy: r.accuracyPerRound[i] ?? 0, evalMs: r.breakdown.perRound[i].evalMs }));
          return { value: { paramsHash: r.paramsHash, accuracy: r.accuracy, rounds }, ms: r.secondsPerRound.reduce((a, b) => a + b, 0) * 1000 };
        },
        async dispose() {},
      };
    },
    check(value, params, series) {
      const expected = reference.get(spec.name + JSON.stringify(params));
      const accuracy = `accuracy ${(value.accuracy * 100).toFixed(1)}%`;
      const floor = `accuracy >= ${(params.minAccuracy * 100).toFixed(0)}%`;
      const verdict = { rounds: value.rounds, note: value.blas ? `${value.blas} BLAS, torch ${value.torch}` : undefined };
      if (VARIANTS[series.variant].needsTorch) {
        // PyTorch: learns, and lands where weft's sequential run did on the same schedule.
        const near = expected === undefined || Math.abs(value.accuracy - expected.accuracy) <= TORCH_ACCURACY_SLACK;
        return {
          ...verdict,
          ok: near && value.accuracy >= params.minAccuracy,
          expected: `${floor}${expected ? `, within ${TORCH_ACCURACY_SLACK * 100} points of weft's ${(expected.accuracy * 100).toFixed(1)}%` : ''}`,
          actual: accuracy,
        };
      }
      const sameModel = expected === undefined || expected.hash === value.paramsHash;
      return {
        ...verdict,
        ok: sameModel && value.accuracy >= params.minAccuracy,
        expected: `${expected ? `model ${expected.hash.slice(0, 12)}, ` : ''}${floor}`,
        actual: `model ${value.paramsHash?.slice(0, 12)}, ${accuracy}`,
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
