/**
 * The federated-learning simulator: BlazeFL-style server handler and client trainer protocols, built-in FedAvg,
 * FedProx, FedAvgM and FedAdam, and a round loop over the sequential, thread or process backend with shared
 * memory, bit-identical results, checkpoints and client-failure handling.
 */
export {
  ALGORITHMS,
  ConfigError,
  DEFAULT_CONFIG,
  FAULT_KINDS,
  NO_FAULTS,
  PARTITION_KINDS,
  SIM_BACKENDS,
  clientsPerRound,
  defaultServerLr,
  resolveConfig,
  resultDeterminingSettings,
  type AlgorithmName,
  type FaultConfig,
  type FaultKind,
  type PartitionKind,
  type SimBackend,
  type SimConfig,
  type SimConfigInput,
} from './config.js';
export type {
  ClientEnvironment,
  ClientTrainer,
  ClientTrainerFactory,
  DownlinkPackage,
  ServerEnvironment,
  ServerFactory,
  ServerHandler,
  ServerState,
  UplinkPackage,
} from './protocols.js';
export { FedServer, createFedServer } from './server/fed-server.js';
export { sampleWithoutReplacement } from './server/sampling.js';
export {
  FedAdamOptimizer,
  FedAvgMOptimizer,
  FedAvgOptimizer,
  createServerOptimizer,
  type FedAdamOptions,
  type ServerOptimizer,
} from './server/optimizers/index.js';
export { SgdClientTrainer, createClientTrainer } from './client/sgd-trainer.js';
export { InjectedFault } from './client/faults.js';
export { clientIndices, loadFederatedData, loadMnistShared, type FederatedData, type FlatPartition } from './data.js';
export type { ClientFailure, FailureCause } from './events.js';
export type { RoundRecord } from './metrics.js';
export { paramsHash } from './hash.js';
export {
  CHECKPOINT_FILE,
  CheckpointError,
  checkpointPath,
  loadCheckpoint,
  removeStaleTempFiles,
  saveCheckpoint,
  type Checkpoint,
  type CheckpointErrorCode,
} from './checkpoint.js';
export {
  Simulation,
  runSimulation,
  type CheckpointOptions,
  type SimulationOptions,
  type SimulationResult,
  type StartupBreakdown,
} from './simulation.js';
export { buildReport, toCsv, writeCsvReport, writeJsonReport, type FlReport } from './report.js';
export { ProgressLine, formatFailure, formatRound } from './progress.js';
export { runFlBenchmark, type FlBenchmarkOptions, type FlBenchmarkResult, type RoundBreakdown } from './benchmark.js';
export { buildReplayPlan, writeReplayPlan, type ReplayClient, type ReplayPlan } from './replay-plan.js';
