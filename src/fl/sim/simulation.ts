/**
 * The round loop. A {@link Simulation} loads MNIST into shared memory once, partitions it, initialises the global
 * model in shared memory, starts the pool (inline for `sequential`, threads or processes) and then runs rounds:
 * sample, downlink, train every sampled client in parallel into its own result slot, load the uplinks in
 * client-id order, update the global model, evaluate, checkpoint. Switching backend changes only the pool kind
 * and where the shared arrays live; the final parameters are bit-identical either way.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createPool, type Pool } from '../../pool/index.js';
import { createModel } from '../models/index.js';
import { Rng } from '../rng.js';
import { CheckpointError, checkCheckpointFits, checkpointPath, loadCheckpoint, removeStaleTempFiles, saveCheckpoint } from './checkpoint.js';
import type { SharedContext } from './client/task.js';
import { clientsPerRound, ConfigError, resolveConfig, resultDeterminingSettings, type SimConfig, type SimConfigInput } from './config.js';
import { contextArrays, loadFederatedData, type FederatedData } from './data.js';
import { ClientDispatcher, remoteContextOf, type ClientTaskModule } from './dispatch.js';
import type { ClientFailure } from './events.js';
import { paramsHash } from './hash.js';
import { SharedArena, placementFor } from './memory.js';
import { criticalPath, meanTrainLoss, type RoundRecord } from './metrics.js';
import { createFedServer } from './server/fed-server.js';
import type { ServerFactory, ServerHandler } from './protocols.js';
import { INIT_STREAM, SERVER_STREAM } from './streams.js';
import { siblingModule } from '../../pool/sibling-module.js';
import { FlProtocolError } from '../errors.js';

/** Test examples per evaluation task: fixed, so the loss is summed in the same order for any worker count. */
const EVAL_TASK_SIZE = 1000;

/** Where and how often to checkpoint. */
export interface CheckpointOptions {
  /** Directory holding `checkpoint.wfl`. */
  readonly dir: string;
  /** Save after every `every` rounds (and after the last). */
  readonly every: number;
  /** Continue from the checkpoint in `dir` if there is one. */
  readonly resume?: boolean;
}

/** Options of {@link Simulation.create} and {@link runSimulation}. */
export interface SimulationOptions {
  /** Settings; defaults fill the rest (see `DEFAULT_CONFIG`). */
  readonly config?: SimConfigInput;
  /** A custom server handler; default {@link FedServer} (FedAvg / FedProx / FedAvgM / FedAdam by `config.algorithm`). */
  readonly server?: ServerFactory;
  /** URL of a module exporting `createClientTrainer(env)`; default the built-in SGD trainer. */
  readonly trainerModule?: string | URL;
  readonly checkpoint?: CheckpointOptions;
  /** Called after every round with its record and its failed attempts. */
  readonly onRound?: (record: RoundRecord, failures: readonly ClientFailure[]) => void;
  /** Start-up messages (data, partition summary, resume). */
  readonly log?: (line: string) => void;
  /** With `config.backend: 'cluster'`: the Redis URL (and queue) that `weft worker --fl` processes serve. */
  readonly cluster?: { readonly connection: string; readonly queue?: string };
}

/** Time spent before the first round. */
export interface StartupBreakdown {
  /** Reading MNIST into shared memory and partitioning it. */
  readonly dataMs: number;
  /** Starting the workers until every one has loaded the task module. */
  readonly poolMs: number;
  /** Each worker's first use of the run's shared arrays (model, trainer, views), slowest worker. */
  readonly prepareMs: number;
  readonly totalMs: number;
}

/** The outcome of a run. */
export interface SimulationResult {
  readonly config: SimConfig;
  /** Every round, including those done before a resume. */
  readonly rounds: readonly RoundRecord[];
  readonly failures: readonly ClientFailure[];
  /** The final global parameters (a copy). */
  readonly params: Float32Array;
  /** SHA-256 of the final parameters: equal across backends and worker counts. */
  readonly paramsHash: string;
  /** Last evaluated test accuracy and loss. */
  readonly accuracy: number | null;
  readonly loss: number | null;
  readonly startup: StartupBreakdown;
  /** The round the run resumed after, or null for a fresh run. */
  readonly resumedFrom: number | null;
  readonly partition: { readonly sizes: readonly number[]; readonly classesPerClient: readonly number[]; readonly text: string };
}

function taskModuleUrl(): URL {
  return siblingModule('./client/task', import.meta.url);
}

/** The task module `weft worker --fl` serves (the same file on every machine of one weft version). */
export function clusterTaskModuleUrl(): URL {
  return siblingModule('./client/remote-task', import.meta.url);
}

/** The run's pool: the built-in task module on a local backend, or the cluster's module through Redis. */
function createSimPool(config: SimConfig, options: SimulationOptions): Pool<ClientTaskModule> {
  if (config.backend !== 'cluster') {
    return createPool<ClientTaskModule>({ module: taskModuleUrl(), backend: config.backend === 'sequential' ? 'inline' : config.backend, workers: config.workers });
  }
  if (!options.cluster?.connection) throw new ConfigError('backend', "a 'cluster' option with the Redis URL its weft workers use (--connection)", 'cluster');
  if (options.trainerModule !== undefined) {
    throw new ConfigError('backend', 'the built-in trainer on the cluster backend (a custom trainerModule would have to be on every machine)', 'cluster');
  }
  return createPool<ClientTaskModule>({
    module: clusterTaskModuleUrl(),
    backend: 'cluster',
    connection: options.cluster.connection,
    queue: options.cluster.queue,
    workers: config.workers,
  });
}

function toUrlString(url: string | URL | undefined): string | undefined {
  return url === undefined ? undefined : url instanceof URL ? url.href : url;
}

/** A prepared run: data in shared memory, workers started. Call {@link run}, then {@link close}. */
export class Simulation {
  private history: RoundRecord[] = [];
  private failures: ClientFailure[] = [];
  private lastRound = 0;
  private resumedFrom: number | null = null;
  private closed = false;

  private constructor(
    readonly config: SimConfig,
    private readonly options: SimulationOptions,
    private readonly arena: SharedArena,
    private readonly data: FederatedData,
    private ctx: SharedContext,
    private readonly pool: Pool<ClientTaskModule>,
    private readonly server: ServerHandler,
    private readonly dispatcher: ClientDispatcher,
    readonly startup: StartupBreakdown,
  ) {}

  /** Loads the data, initialises the model and starts the workers. */
  static async create(options: SimulationOptions = {}): Promise<Simulation> {
    const config = resolveConfig(options.config);
    const log = options.log ?? (() => {});
    const t0 = performance.now();
    const arena = new SharedArena(placementFor(config.backend));
    const remote = config.backend === 'cluster';
    let pool: Pool<ClientTaskModule> | undefined;
    try {
      const data = loadFederatedData(config, arena);
      log(`data: ${data.train.count} training and ${data.test.count} test images in shared memory (${arena.placement})`);
      log(`partition ${config.partition}${config.partition === 'dirichlet' ? ` (alpha ${config.alpha})` : ''}:\n${data.summary.text}`);
      const model = createModel(config.model);
      const global = arena.allocate(Float32Array, model.paramCount);
      model.init(global, Rng.derive(config.seed, INIT_STREAM));
      const perRound = clientsPerRound(config);
      const spareSlots = config.retries > 0 ? config.workers : 0;
      const results = arena.allocate(Float32Array, (perRound + spareSlots) * model.paramCount);
      const ctx: SharedContext = {
        id: randomUUID(),
        config,
        ...contextArrays(data),
        global,
        results,
        paramCount: model.paramCount,
        trainerModule: toUrlString(options.trainerModule),
      };
      const t1 = performance.now();
      pool = createSimPool(config, options);
      await pool.ready();
      const t2 = performance.now();
      // One preparation task per worker: every worker is ready and idle, so each takes exactly one.
      const sent = remote ? (remoteContextOf(ctx) as unknown as SharedContext) : ctx;
      const prepared = await Promise.all(Array.from({ length: config.workers }, () => pool!.call.prepare(sent)));
      const t3 = performance.now();
      const server = (options.server ?? createFedServer)({
        config,
        params: global,
        clientSizes: data.clientSizes,
        rng: Rng.derive(config.seed, SERVER_STREAM),
      });
      // On the calling thread a running client cannot be interrupted, so a timeout could only misfire afterwards.
      const enforceTimeout = config.backend !== 'sequential';
      if (config.clientTimeoutMs > 0 && !enforceTimeout) log('note: the client timeout (--client-timeout) is not enforced on the sequential backend');
      const dispatcher = new ClientDispatcher(
        pool,
        ctx,
        { timeoutMs: enforceTimeout ? config.clientTimeoutMs : 0, retries: config.retries, primarySlots: perRound, spareSlots },
        remote,
      );
      const startup: StartupBreakdown = {
        dataMs: t1 - t0,
        poolMs: t2 - t1,
        prepareMs: Math.max(0, ...prepared.map((p) => p.setupMs)),
        totalMs: t3 - t0,
      };
      const sim = new Simulation(config, options, arena, data, ctx, pool, server, dispatcher, startup);
      if (options.checkpoint?.resume) sim.resume(options.checkpoint.dir, log);
      return sim;
    } catch (error) {
      await pool?.destroy();
      arena.release();
      throw error;
    }
  }

  private resume(dir: string, log: (line: string) => void): void {
    const removed = removeStaleTempFiles(dir);
    if (removed.length > 0) log(`resume: removed ${removed.length} temp file(s) left by killed writers (${removed.join(', ')})`);
    const checkpoint = loadCheckpoint(dir);
    if (!checkpoint) {
      log(`resume: no checkpoint in ${dir}, starting from round 1`);
      return;
    }
    const path = checkpointPath(dir);
    checkCheckpointFits(path, checkpoint, { settings: resultDeterminingSettings(this.config), rounds: this.config.rounds, paramCount: this.ctx.global.length });
    this.ctx.global.set(checkpoint.params);
    try {
      this.server.setState(checkpoint.server);
    } catch (error) {
      const detail = `the server handler refused its state (${(error as Error).message})`;
      throw new CheckpointError(path, detail, { code: 'WEFT_CHECKPOINT_MISMATCH', field: 'server', cause: error });
    }
    this.history = [...checkpoint.history];
    this.failures = [...checkpoint.failures];
    this.lastRound = checkpoint.round;
    this.resumedFrom = checkpoint.round;
    log(`resume: continuing after round ${checkpoint.round} from ${path}`);
  }

  /** The global parameters (shared memory; a live view). */
  get params(): Float32Array {
    return this.ctx.global;
  }

  /** Runs rounds until the server handler stops (by default after `config.rounds`). */
  async run(): Promise<SimulationResult> {
    while (!this.server.isStopped(this.lastRound)) await this.runRound(this.lastRound + 1);
    const last = [...this.history].reverse().find((r) => r.accuracy !== null);
    return {
      config: this.config,
      rounds: this.history,
      failures: this.failures,
      params: this.ctx.global.slice(),
      paramsHash: paramsHash(this.ctx.global),
      accuracy: last?.accuracy ?? null,
      loss: last?.loss ?? null,
      startup: this.startup,
      resumedFrom: this.resumedFrom,
      partition: { sizes: this.data.summary.sizes, classesPerClient: this.data.summary.classesPerClient, text: this.data.summary.text },
    };
  }

  /** Runs one round and returns its record. */
  async runRound(round: number): Promise<RoundRecord> {
    const t0 = performance.now();
    const ids = this.checkSample(this.server.sampleClients(round));
    const downlink = this.server.downlinkPackage(round);
    const global = this.ctx.global;
    if (downlink.params !== global) {
      if (downlink.params.length !== global.length) throw new FlProtocolError(`downlink has ${downlink.params.length} parameters, the model ${global.length}`);
      global.set(downlink.params);
    }
    if (ids.length > this.dispatcher.primarySlots) this.growResults(ids.length);
    const training = await this.dispatcher.trainRound(round, ids);
    const t1 = performance.now();
    const n = this.ctx.paramCount;
    for (const client of training.trained) {
      this.server.load({
        clientId: client.clientId,
        params: this.ctx.results.subarray(client.slot * n, (client.slot + 1) * n),
        numExamples: client.numExamples,
        loss: client.loss,
        steps: client.steps,
      });
    }
    this.server.globalUpdate(round);
    const t2 = performance.now();
    const last = this.server.isStopped(round);
    const evaluation = round % this.config.evalEvery === 0 || last ? await this.evaluate() : null;
    const t3 = performance.now();
    const critical = criticalPath(training.trained);
    const sum = (pick: (c: (typeof training.trained)[number]) => number): number => training.trained.reduce((a, c) => a + pick(c), 0);
    const record: RoundRecord = {
      round,
      accuracy: evaluation?.accuracy ?? null,
      loss: evaluation?.loss ?? null,
      trainLoss: meanTrainLoss(training.trained),
      sampled: ids.length,
      trained: training.trained.length,
      dropped: training.failures.filter((f) => f.action === 'dropped').map((f) => f.clientId),
      retries: training.failures.filter((f) => f.action === 'retried').length,
      seconds: (t3 - t0) / 1000,
      trainMs: training.wallMs,
      aggregateMs: t2 - t1,
      evalMs: t3 - t2,
      computeMs: sum((c) => c.computeMs),
      criticalMs: critical,
      dispatchMs: Math.max(0, training.wallMs - critical),
      setupMs: sum((c) => c.setupMs),
      copyMs: sum((c) => c.copyMs),
    };
    this.history.push(record);
    this.failures.push(...training.failures);
    this.lastRound = round;
    this.options.onRound?.(record, training.failures);
    const cp = this.options.checkpoint;
    if (cp && cp.every > 0 && (round % cp.every === 0 || last)) {
      saveCheckpoint(cp.dir, {
        round,
        settings: resultDeterminingSettings(this.config),
        params: global,
        server: this.server.getState(),
        history: this.history,
        failures: this.failures,
      });
    }
    return record;
  }

  /**
   * A custom server handler sampled more clients than the config's fraction gives: reallocate the result buffer
   * with enough slots. Workers read the buffer from each task's arguments, so they follow without a reset.
   */
  private growResults(primary: number): void {
    const spare = this.config.retries > 0 ? this.config.workers : 0;
    const results = this.arena.allocate(Float32Array, (primary + spare) * this.ctx.paramCount);
    this.ctx = { ...this.ctx, results };
    this.dispatcher.resize(this.ctx, primary);
  }

  private checkSample(ids: number[]): number[] {
    const sorted = [...ids].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i++) {
      const id = sorted[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.config.clients) throw new FlProtocolError(`sampled client id ${id} is not in [0, ${this.config.clients})`);
      if (i > 0 && sorted[i - 1] === id) throw new FlProtocolError(`client ${id} was sampled twice in one round`);
    }
    return sorted;
  }

  /** Test accuracy and mean loss of the global model, in fixed-size parts spread over the workers. */
  async evaluate(): Promise<{ accuracy: number; loss: number }> {
    const total = this.data.test.count;
    const parts = [];
    for (let start = 0; start < total; start += EVAL_TASK_SIZE) {
      const sent = this.config.backend === 'cluster' ? (remoteContextOf(this.ctx) as unknown as SharedContext) : this.ctx;
      parts.push(this.pool.submit('evaluateRange', [sent, start, Math.min(EVAL_TASK_SIZE, total - start)]));
    }
    let lossSum = 0;
    let correct = 0;
    for (const part of await Promise.all(parts)) {
      lossSum += part.lossSum;
      correct += part.correct;
    }
    return { accuracy: total === 0 ? 0 : correct / total, loss: total === 0 ? 0 : lossSum / total };
  }

  /** Stops the workers and releases the shared memory. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.pool.close();
    } finally {
      this.arena.release();
    }
  }

  /** Stops now, abandoning running clients (e.g. on Ctrl-C). */
  async destroy(): Promise<void> {
    this.closed = true;
    try {
      await this.pool.destroy();
    } finally {
      this.arena.release();
    }
  }
}

/**
 * Runs a whole simulation and releases everything.
 * @example
 * import { runSimulation } from 'weft-pool/fl';
 * const result = await runSimulation({ config: { rounds: 5, backend: 'thread', workers: 2 } });
 * console.log(result.accuracy, result.paramsHash);
 */
export async function runSimulation(options: SimulationOptions = {}): Promise<SimulationResult> {
  const sim = await Simulation.create(options);
  try {
    return await sim.run();
  } finally {
    await sim.close();
  }
}
