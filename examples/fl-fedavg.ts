/**
 * FedAvg on MNIST with the built-in server handler and client trainer: the same run on the sequential, thread and
 * process backends gives bit-identical parameters.
 *
 *   npx tsx examples/fl-fedavg.ts            # 3 rounds on a 6,000-image subset (10 clients), all three backends
 *   npx tsx examples/fl-fedavg.ts 20 full    # the PyTorch anchor: 20 rounds, all of MNIST
 */
import { runSimulation, type SimBackend } from '../src/fl/index.js';

const rounds = Number(process.argv[2] ?? 3);
const full = process.argv[3] === 'full';

const runs: [SimBackend, number][] = [
  ['sequential', 1],
  ['thread', 2],
  ['process', 2],
];
for (const [backend, workers] of runs) {
  const result = await runSimulation({
    config: {
      model: 'mlp', // 784-200-200-10, PyTorch's default initialisation
      partition: 'iid',
      clients: full ? 100 : 10,
      fraction: full ? 0.1 : 0.5, // share of clients sampled per round
      epochs: 1,
      batchSize: 10,
      lr: 0.05,
      rounds,
      trainLimit: full ? 0 : 6000, // 0 = all 60,000 training images
      testLimit: full ? 0 : 2000,
      backend,
      workers,
      seed: 1,
    },
  });
  const curve = result.rounds.map((r) => `${(100 * r.accuracy!).toFixed(1)}%`).join(' ');
  const perRound = result.rounds.reduce((s, r) => s + r.trainMs, 0) / result.rounds.length / 1000;
  console.log(`${backend.padEnd(10)} W=${workers}  accuracy ${curve}  train ${perRound.toFixed(2)} s/round  paramsHash ${result.paramsHash.slice(0, 16)}`);
}
