/**
 * `weft fl`: run a federated-learning simulation on MNIST from the command line. Every flag maps onto one
 * simulator setting; bad values are refused by commander with the flag's name and what it accepts.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { MODEL_NAMES } from '../fl/models/index.js';
import {
  ALGORITHMS,
  CheckpointError,
  ConfigError,
  DEFAULT_CONFIG,
  FAULT_KINDS,
  PARTITION_KINDS,
  ProgressLine,
  SIM_BACKENDS,
  Simulation,
  writeCsvReport,
  writeJsonReport,
  type FaultKind,
  type SimConfigInput,
  type SimulationResult,
} from '../fl/sim/index.js';
import { writeFlReport } from '../fl/sim/report/write.js';

// ---- value parsers: each throws InvalidArgumentError, which commander prefixes with the flag's name ----

function integerFrom(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}.`);
    return n;
  };
}

function numberWhere(test: (x: number) => boolean, allowed: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !test(n)) throw new InvalidArgumentError(`expected ${allowed}.`);
    return n;
  };
}

const positiveInt = integerFrom(1);
const nonNegativeInt = integerFrom(0);
const positive = numberWhere((x) => x > 0, 'a positive number');
const nonNegative = numberWhere((x) => x >= 0, 'a number >= 0');
const unitOpen = numberWhere((x) => x >= 0 && x < 1, 'a number in [0, 1)');
const fraction = numberWhere((x) => x > 0 && x <= 1, 'a number in (0, 1]');
const probability = numberWhere((x) => x >= 0 && x <= 1, 'a probability in [0, 1]');

function idList(value: string): number[] {
  const ids = value.split(',').map((s) => s.trim());
  if (ids.some((s) => !/^\d+$/.test(s))) throw new InvalidArgumentError('expected comma-separated client ids, e.g. 3,7.');
  return ids.map(Number);
}

/** Settings to the flags that set them, for errors found when the settings are checked together. */
const FLAG_OF: Record<string, string> = {
  workers: '--workers',
  clients: '--clients',
  clientTimeoutMs: '--client-timeout',
  'faults.clients': '--fail-clients',
  'faults.kind': '--fail-kind',
  'faults.probability': '--fail-prob',
  'faults.attempts': '--fail-attempts',
  shardsPerClient: '--shards-per-client',
};

/** The options commander hands the action. */
interface FlFlags {
  model: SimConfigInput['model'];
  partition: SimConfigInput['partition'];
  alpha: number;
  shardsPerClient: number;
  clients: number;
  fraction: number;
  epochs: number;
  batch: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  rounds: number;
  algorithm: SimConfigInput['algorithm'];
  mu: number;
  serverLr?: number;
  serverMomentum: number;
  beta1: number;
  beta2: number;
  tau: number;
  backend: SimConfigInput['backend'];
  workers?: number;
  connection?: string;
  queue?: string;
  seed: number;
  trainLimit: number;
  testLimit: number;
  evalEvery: number;
  checkpoint?: string;
  checkpointEvery: number;
  resume: boolean;
  json?: string;
  csv?: string;
  report?: string;
  svg?: string;
  clientTimeout: number;
  retries: number;
  failClients: number[];
  failProb: number;
  failKind: FaultKind;
  failAttempts: number;
  quiet: boolean;
}

function toConfig(f: FlFlags): SimConfigInput {
  return {
    model: f.model,
    partition: f.partition,
    alpha: f.alpha,
    shardsPerClient: f.shardsPerClient,
    clients: f.clients,
    fraction: f.fraction,
    epochs: f.epochs,
    batchSize: f.batch,
    lr: f.lr,
    momentum: f.momentum,
    weightDecay: f.weightDecay,
    rounds: f.rounds,
    algorithm: f.algorithm,
    mu: f.mu,
    serverLr: f.serverLr,
    serverMomentum: f.serverMomentum,
    beta1: f.beta1,
    beta2: f.beta2,
    tau: f.tau,
    backend: f.backend,
    workers: f.workers,
    seed: f.seed,
    trainLimit: f.trainLimit,
    testLimit: f.testLimit,
    evalEvery: f.evalEvery,
    clientTimeoutMs: f.clientTimeout,
    retries: f.retries,
    faults: { clients: f.failClients, probability: f.failProb, kind: f.failKind, attempts: f.failAttempts },
  };
}

function summary(result: SimulationResult): string {
  const n = result.rounds.length;
  const mean = (pick: (r: SimulationResult['rounds'][number]) => number): number => result.rounds.reduce((a, r) => a + pick(r), 0) / Math.max(1, n);
  const acc = result.accuracy === null ? 'not evaluated' : `${(100 * result.accuracy).toFixed(2)}%`;
  const lines = [
    `accuracy ${acc}, loss ${result.loss?.toFixed(4) ?? '-'} after round ${n}`,
    `time per round ${mean((r) => r.seconds).toFixed(3)} s: train ${(mean((r) => r.trainMs) / 1000).toFixed(3)} s, ` +
      `aggregate ${(mean((r) => r.aggregateMs) / 1000).toFixed(3)} s, eval ${(mean((r) => r.evalMs) / 1000).toFixed(3)} s ` +
      `(${result.config.backend}, ${result.config.workers} worker${result.config.workers === 1 ? '' : 's'}; start-up ${(result.startup.totalMs / 1000).toFixed(2)} s)`,
  ];
  if (result.failures.length > 0) {
    const dropped = result.failures.filter((f) => f.action === 'dropped').length;
    lines.push(`client failures: ${result.failures.length} failed attempts, ${dropped} clients dropped, ${result.failures.length - dropped} retried`);
  }
  lines.push(`paramsHash ${result.paramsHash}`);
  return lines.join('\n');
}

async function runFl(flags: FlFlags, command: Command): Promise<void> {
  if (flags.resume && !flags.checkpoint) command.error("error: option '--resume' needs '--checkpoint <dir>' (where the checkpoint is)");
  if (flags.backend === 'cluster' && !flags.connection) command.error("error: option '--backend cluster' needs '--connection <url>' (the Redis that weft worker --fl processes use)");
  if (flags.backend !== 'cluster' && flags.connection) command.error("error: option '--connection' is for '--backend cluster' only");
  const log = flags.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  let progress: ProgressLine | undefined;
  let sim: Simulation;
  try {
    sim = await Simulation.create({
      config: toConfig(flags),
      checkpoint: flags.checkpoint ? { dir: flags.checkpoint, every: flags.checkpointEvery, resume: flags.resume } : undefined,
      log,
      onRound: (record, failures) => progress?.update(record, failures),
      cluster: flags.connection ? { connection: flags.connection, queue: flags.queue } : undefined,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      const flag = FLAG_OF[error.setting] ?? `--${error.setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      command.error(`error: option '${flag}': ${error.message.replace(`${error.setting}: `, '')}`);
    }
    if (error instanceof CheckpointError) {
      // Not a usage mistake, so no "--help" hint: the file is what is wrong.
      process.stderr.write(`weft fl: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const interrupt = (): void => {
    progress?.finish();
    process.stderr.write('weft fl: interrupted\n');
    void sim.destroy().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  try {
    progress = new ProgressLine(process.stderr, sim.config.rounds);
    if (flags.quiet) progress = undefined;
    const result = await sim.run();
    progress?.finish();
    if (flags.json) writeJsonReport(flags.json, result);
    if (flags.csv) writeCsvReport(flags.csv, result);
    if (flags.report || flags.svg) await writeFlReport(result, { report: flags.report, svgDir: flags.svg });
    process.stdout.write(`${summary(result)}\n`);
  } finally {
    process.off('SIGINT', interrupt);
    await sim.close();
  }
}

/** Adds `weft fl` to the program. */
export function register(program: Command): void {
  const d = DEFAULT_CONFIG;
  program
    .command('fl')
    .description(
      'Federated learning on MNIST: FedAvg/FedProx/FedAvgM/FedAdam over simulated clients, run sequentially, on worker ' +
        'threads or on processes with shared memory; bit-identical results on every backend.',
    )
    .addOption(new Option('--model <name>', 'model').choices(MODEL_NAMES).default(d.model))
    .addOption(new Option('--partition <kind>', 'how the training set is split over clients').choices(PARTITION_KINDS).default(d.partition))
    .addOption(new Option('--alpha <a>', 'Dirichlet concentration (--partition dirichlet)').argParser(positive).default(d.alpha))
    .addOption(new Option('--shards-per-client <n>', 'shards per client (--partition shards)').argParser(positiveInt).default(d.shardsPerClient))
    .addOption(new Option('--clients <n>', 'number of clients').argParser(positiveInt).default(d.clients))
    .addOption(new Option('--fraction <c>', 'share of clients sampled per round').argParser(fraction).default(d.fraction))
    .addOption(new Option('--epochs <e>', 'local epochs per round').argParser(positiveInt).default(d.epochs))
    .addOption(new Option('--batch <b>', 'local minibatch size').argParser(positiveInt).default(d.batchSize))
    .addOption(new Option('--lr <lr>', 'client learning rate').argParser(positive).default(d.lr))
    .addOption(new Option('--momentum <m>', 'client SGD momentum').argParser(unitOpen).default(d.momentum))
    .addOption(new Option('--weight-decay <wd>', 'client L2 weight decay').argParser(nonNegative).default(d.weightDecay))
    .addOption(new Option('--rounds <r>', 'rounds').argParser(positiveInt).default(d.rounds))
    .addOption(new Option('--algorithm <name>', 'federated algorithm').choices(ALGORITHMS).default(d.algorithm))
    .addOption(new Option('--mu <mu>', 'FedProx proximal coefficient').argParser(nonNegative).default(d.mu))
    .addOption(new Option('--server-lr <lr>', 'server learning rate (FedAvgM default 1, FedAdam default 0.03)').argParser(positive))
    .addOption(new Option('--server-momentum <m>', 'FedAvgM server momentum').argParser(unitOpen).default(d.serverMomentum))
    .addOption(new Option('--beta1 <b>', 'FedAdam first-moment decay').argParser(unitOpen).default(d.beta1))
    .addOption(new Option('--beta2 <b>', 'FedAdam second-moment decay').argParser(unitOpen).default(d.beta2))
    .addOption(new Option('--tau <t>', 'FedAdam adaptivity').argParser(positive).default(d.tau))
    .addOption(new Option('--backend <kind>', 'where clients train').choices(SIM_BACKENDS).default(d.backend))
    .addOption(new Option('--workers <w>', 'worker threads or processes (default: CPU count; 1 for sequential; cluster: batches out at once)').argParser(positiveInt))
    .addOption(new Option('--connection <url>', "cluster backend: the Redis URL its 'weft worker --fl' processes use"))
    .addOption(new Option('--queue <name>', 'cluster backend: the queue those workers serve (default weft)'))
    .addOption(new Option('--seed <s>', 'random seed').argParser(nonNegativeInt).default(d.seed))
    .addOption(new Option('--train-limit <n>', 'use only the first n training images (0 = all)').argParser(nonNegativeInt).default(0))
    .addOption(new Option('--test-limit <n>', 'use only the first n test images (0 = all)').argParser(nonNegativeInt).default(0))
    .addOption(new Option('--eval-every <k>', 'evaluate the global model every k rounds').argParser(positiveInt).default(d.evalEvery))
    .addOption(new Option('--checkpoint <dir>', 'save checkpoints in this directory'))
    .addOption(new Option('--checkpoint-every <k>', 'checkpoint every k rounds').argParser(positiveInt).default(1))
    .addOption(new Option('--resume', 'continue from the checkpoint in --checkpoint').default(false))
    .addOption(new Option('--json <file>', 'write the report (config, per-round metrics, paramsHash) as JSON'))
    .addOption(new Option('--csv <file>', 'write per-round metrics as CSV'))
    .addOption(new Option('--report <file>', "write an HTML report (weft bench's style, opens offline): charts, per-round table, failures"))
    .addOption(new Option('--svg <dir>', "write the report's charts as standalone SVG files in this directory"))
    .addOption(new Option('--client-timeout <ms>', 'fail a client that trains longer than this (0 = never)').argParser(nonNegativeInt).default(0))
    .addOption(new Option('--retries <n>', 'retry a failed client this many times in its round before dropping it').argParser(nonNegativeInt).default(0))
    .addOption(new Option('--fail-clients <ids>', 'fault injection: these clients fail whenever sampled').argParser(idList).default([]))
    .addOption(new Option('--fail-prob <p>', 'fault injection: each sampled client fails with this probability').argParser(probability).default(0))
    .addOption(new Option('--fail-kind <kind>', 'fault injection: how clients fail').choices(FAULT_KINDS).default('throw'))
    .addOption(new Option('--fail-attempts <n>', 'fault injection: fail only the first n attempts (0 = all)').argParser(nonNegativeInt).default(0))
    .addOption(new Option('-q, --quiet', 'no partition summary or progress line').default(false))
    .action(async (flags: FlFlags, command: Command) => runFl(flags, command));
}
