/**
 * A simulation's schedule written out so another framework can replay it: the initial model, every round's
 * sampled clients and every client's minibatch order, all drawn from the same seeded streams the simulator uses.
 * The study's PyTorch peer reads it, so weft and PyTorch train the same model from the same start on the same
 * batches, and only the kernels differ.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIdxFile } from '../data/idx.js';
import { mnistFiles } from '../data/mnist.js';
import { FlArgumentError } from '../errors.js';
import { createModel } from '../models/index.js';
import type { ParamBlock } from '../models/types.js';
import { Rng } from '../rng.js';
import { clientsPerRound, resolveConfig, type ConfigError, type SimConfig, type SimConfigInput } from './config.js';
import { partitionClients } from './data.js';
import { sampleWithoutReplacement } from './server/sampling.js';
import { INIT_STREAM, SERVER_STREAM } from './streams.js';

/** One client's part in one round. */
export interface ReplayClient {
  readonly id: number;
  /** The client's training examples (its share of the partition). */
  readonly examples: number;
  /** Training-set indices in the order they are fed, all epochs back to back (epochs x examples). */
  readonly order: Uint32Array;
}

/** The whole schedule of a simulation. */
export interface ReplayPlan {
  readonly config: SimConfig;
  readonly layout: readonly ParamBlock[];
  /** The global model before round 1, in weft's layout. */
  readonly init: Float32Array;
  /** Rounds 1..n: the sampled clients, in ascending id order (the order FedAvg sums them). */
  readonly rounds: readonly (readonly ReplayClient[])[];
  readonly files: { readonly train: { images: string; labels: string }; readonly test: { images: string; labels: string } };
}

/**
 * Draws the schedule of the built-in FedAvg server and SGD trainer (no faults, no custom protocols). Throws
 * {@link FlArgumentError} for another server algorithm or a config with faults (a failed client changes the
 * average), and {@link ConfigError} for a bad setting.
 * @example
 * const plan = buildReplayPlan({ model: 'mlp', rounds: 2, clients: 20, trainLimit: 2000 });
 * console.log(plan.rounds[0].map((c) => c.id), plan.init.length);
 */
export function buildReplayPlan(input: SimConfigInput): ReplayPlan {
  const config = resolveConfig(input);
  if (config.algorithm !== 'fedavg') throw new FlArgumentError(`a replay plan covers FedAvg only, not '${config.algorithm}'`);
  if (config.faults.clients.length > 0 || config.faults.probability > 0) throw new FlArgumentError('a replay plan covers runs without faults; this config injects client failures');
  const files = { train: mnistFiles('train'), test: mnistFiles('test') };
  const labels = readIdxFile(files.train.labels, config.trainLimit > 0 ? { limit: config.trainLimit } : {}).data as Uint8Array;
  const partition = partitionClients(config, labels);
  const model = createModel(config.model);
  const init = new Float32Array(model.paramCount);
  model.init(init, Rng.derive(config.seed, INIT_STREAM));
  const server = Rng.derive(config.seed, SERVER_STREAM);
  const rounds: ReplayClient[][] = [];
  for (let round = 1; round <= config.rounds; round++) {
    const ids = sampleWithoutReplacement(config.clients, clientsPerRound(config), server);
    rounds.push(ids.map((id) => ({ id, examples: partition[id].length, order: clientOrder(partition[id], config.epochs, Rng.derive(config.seed, id, round)) })));
  }
  return { config, layout: model.layout, init, rounds, files };
}

/**
 * The trainer's order: each epoch shuffles the previous epoch's order in place. A copy of src/fl/train.ts's loop
 * kept apart so the plan needs no model; test/bench/fl-torch.test.ts fails if the two drift (weft and the replay
 * would no longer end on the same model).
 */
function clientOrder(indices: Uint32Array, epochs: number, rng: Rng): Uint32Array {
  const running = Uint32Array.from(indices);
  const out = new Uint32Array(epochs * indices.length);
  for (let epoch = 0; epoch < epochs; epoch++) {
    rng.shuffle(running);
    out.set(running, epoch * indices.length);
  }
  return out;
}

/**
 * Writes `plan.json` (settings, layout, rounds with each client's offset into `orders.u32`), `init.f32` and
 * `orders.u32` (little-endian) into `dir`, and returns the path of plan.json.
 */
export function writeReplayPlan(plan: ReplayPlan, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const orders = new Uint32Array(plan.rounds.flat().reduce((n, c) => n + c.order.length, 0));
  let offset = 0;
  const rounds = plan.rounds.map((clients) =>
    clients.map((c) => {
      orders.set(c.order, offset);
      const entry = { id: c.id, offset, length: c.order.length, examples: c.examples };
      offset += c.order.length;
      return entry;
    }),
  );
  const { config } = plan;
  const json = {
    model: config.model,
    epochs: config.epochs,
    batchSize: config.batchSize,
    lr: config.lr,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    trainLimit: config.trainLimit,
    testLimit: config.testLimit,
    seed: config.seed,
    files: plan.files,
    layout: plan.layout.map((b) => ({ name: b.name, offset: b.offset, size: b.size, shape: b.shape })),
    rounds,
  };
  writeFileSync(join(dir, 'init.f32'), new Uint8Array(plan.init.buffer, plan.init.byteOffset, plan.init.byteLength));
  writeFileSync(join(dir, 'orders.u32'), new Uint8Array(orders.buffer));
  const path = join(dir, 'plan.json');
  writeFileSync(path, JSON.stringify(json));
  return path;
}
