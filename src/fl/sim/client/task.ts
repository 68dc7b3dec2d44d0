/**
 * The worker side of the simulator: the task module every pool worker loads. Each task receives the run's
 * {@link SharedContext} (typed arrays in shared memory: dataset, partition, global model, result slots); the
 * first task of a run in a worker builds that worker's model, trainer and dataset views and caches them under
 * the run's id, so later tasks only look them up. On threads the arrays arrive as SharedArrayBuffers, on
 * processes as mapped segments (mapped once per process by the pool), inline by reference: the code is the same.
 */
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import type { Dataset } from '../../data/mnist.js';
import { createModel, type Model, type ModelName } from '../../models/index.js';
import { Rng } from '../../rng.js';
import type { SimConfig } from '../config.js';
import { clientIndices, type ContextArrays } from '../data.js';
import type { ClientEnvironment, ClientTrainer, ClientTrainerFactory, DownlinkPackage } from '../protocols.js';
import { injectFault, shouldFail } from './faults.js';
import { createClientTrainer } from './sgd-trainer.js';
import { FlProtocolError } from '../../errors.js';

/** Everything a worker needs, all arrays in shared memory. Sent with every task; cheap, since nothing is copied. */
export interface SharedContext extends ContextArrays {
  /** Unique per run: the key of each worker's cache. */
  readonly id: string;
  readonly config: SimConfig;
  /** The global model, written by the server between rounds only. */
  readonly global: Float32Array;
  /** Result slots, `paramCount` floats each: a client trains in the slot the server reserved for it. */
  readonly results: Float32Array;
  readonly paramCount: number;
  /** URL of a module exporting `createClientTrainer`; the built-in SGD trainer when absent. */
  readonly trainerModule?: string;
}

/** One client's training order. `attempt` counts retries (0 first). */
export interface ClientJob {
  readonly clientId: number;
  readonly round: number;
  readonly attempt: number;
  readonly slot: number;
}

/** What a worker reports for one trained client (the update itself is already in the result slot). */
export interface ClientOutcome {
  readonly clientId: number;
  readonly numExamples: number;
  readonly loss: number;
  readonly steps: number;
  /** Time to build this worker's cache for the run (0 once warm). */
  readonly setupMs: number;
  /** Local training time. */
  readonly computeMs: number;
  /** Time copying an uplink that was not trained in its slot (0 for the built-in trainer). */
  readonly copyMs: number;
  /** Which worker ran it: `pid:threadId`. */
  readonly worker: string;
}

/** Loss and correct count on a range of test examples. */
export interface EvalPart {
  readonly lossSum: number;
  readonly correct: number;
  readonly count: number;
  readonly ms: number;
}

interface WorkerState {
  readonly id: string;
  readonly model: Model;
  readonly trainer: ClientTrainer;
  /** Slot assignments of the current task, read by `uplinkBuffer`. */
  readonly slots: Map<number, Float32Array>;
}

const WORKER = `${process.pid}:${threadId}`;
/** Models keep scratch buffers, so one per model name per worker, reused across runs. */
const models = new Map<ModelName, Model>();
let current: WorkerState | undefined;

function modelFor(name: ModelName): Model {
  let model = models.get(name);
  if (!model) models.set(name, (model = createModel(name)));
  return model;
}

async function trainerFactory(url: string | undefined): Promise<ClientTrainerFactory> {
  if (url === undefined) return createClientTrainer;
  const mod = (await import(url)) as { createClientTrainer?: unknown };
  if (typeof mod.createClientTrainer !== 'function') {
    throw new FlProtocolError(`trainer module ${url} does not export a function createClientTrainer(env)`);
  }
  return mod.createClientTrainer as ClientTrainerFactory;
}

async function stateFor(ctx: SharedContext): Promise<WorkerState> {
  if (current?.id === ctx.id) return current;
  const model = modelFor(ctx.config.model);
  if (model.paramCount !== ctx.paramCount) {
    throw new FlProtocolError(`model ${model.name} has ${model.paramCount} parameters, the run expects ${ctx.paramCount}`);
  }
  const train: Dataset = {
    count: ctx.trainLabels.length,
    images: ctx.trainImages,
    labels: ctx.trainLabels,
    features: model.inputSize,
    classes: model.classes,
  };
  const partition = { indices: ctx.partIndices, offsets: ctx.partOffsets };
  const slots = new Map<number, Float32Array>();
  const seed = ctx.config.seed;
  const env: ClientEnvironment = {
    config: ctx.config,
    model,
    train,
    indicesOf: (clientId) => clientIndices(partition, clientId),
    rngFor: (clientId, round) => Rng.derive(seed, clientId, round),
    uplinkBuffer: (clientId) => {
      const slot = slots.get(clientId);
      if (!slot) throw new FlProtocolError(`no result slot is reserved for client ${clientId} in this task`);
      return slot;
    },
  };
  const factory = await trainerFactory(ctx.trainerModule);
  // Replacing the previous run's state lets its arrays (and mapped segments) be collected.
  current = { id: ctx.id, model, trainer: factory(env), slots };
  return current;
}

function slotView(ctx: SharedContext, slot: number): Float32Array {
  const n = ctx.paramCount;
  if (!Number.isInteger(slot) || slot < 0 || (slot + 1) * n > ctx.results.length) {
    throw new FlProtocolError(`result slot ${slot} is out of range`);
  }
  return ctx.results.subarray(slot * n, (slot + 1) * n);
}

function sameMemory(a: Float32Array, b: Float32Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
}

/** Builds this worker's cache for the run ahead of the first round, so round times measure rounds. */
export async function prepare(ctx: SharedContext): Promise<{ worker: string; setupMs: number }> {
  const t0 = performance.now();
  await stateFor(ctx);
  return { worker: WORKER, setupMs: performance.now() - t0 };
}

/** Trains one client of one round into its result slot. */
export async function trainClient(ctx: SharedContext, job: ClientJob): Promise<ClientOutcome> {
  const t0 = performance.now();
  const state = await stateFor(ctx);
  const t1 = performance.now();
  const { faults, seed } = ctx.config;
  if (shouldFail(faults, seed, job.clientId, job.round, job.attempt)) injectFault(faults, job.clientId, job.round, job.attempt);
  const slot = slotView(ctx, job.slot);
  state.slots.clear();
  state.slots.set(job.clientId, slot);
  const payload: DownlinkPackage = { round: job.round, params: ctx.global };
  await state.trainer.localProcess(payload, [job.clientId]);
  const t2 = performance.now();
  const uplink = state.trainer.uplinkPackage().find((u) => u.clientId === job.clientId);
  if (!uplink) throw new FlProtocolError(`the client trainer returned no uplink for client ${job.clientId}`);
  if (uplink.params.length !== ctx.paramCount) {
    throw new FlProtocolError(`client ${job.clientId}'s uplink has ${uplink.params.length} parameters, expected ${ctx.paramCount}`);
  }
  if (!sameMemory(uplink.params, slot)) slot.set(uplink.params);
  const t3 = performance.now();
  return {
    clientId: job.clientId,
    numExamples: uplink.numExamples,
    loss: uplink.loss,
    steps: uplink.steps,
    setupMs: t1 - t0,
    computeMs: t2 - t1,
    copyMs: t3 - t2,
    worker: WORKER,
  };
}

/** Evaluates the global model on test examples `[start, start + count)`. */
export async function evaluateRange(ctx: SharedContext, start: number, count: number): Promise<EvalPart> {
  const t0 = performance.now();
  const { model } = await stateFor(ctx);
  const f = model.inputSize;
  const images = ctx.testImages.subarray(start * f, (start + count) * f);
  const labels = ctx.testLabels.subarray(start, start + count);
  const r = model.evaluate(ctx.global, images, labels, count);
  return { lossSum: r.lossSum, correct: r.correct, count: r.count, ms: performance.now() - t0 };
}
