/** The FL compute core (data, seeded randomness, partitions, models, optimiser, local training) and the simulator built on it (`./sim`). */
export { IdxFormatError, parseIdx, readIdxFile, type IdxErrorCode, type IdxTensor, type IdxReadOptions } from './data/idx.js';
export {
  loadMnist,
  mnistDataDir,
  mnistFiles,
  MNIST_CLASSES,
  MNIST_PIXELS,
  MNIST_SIDE,
  type Dataset,
  type LoadMnistOptions,
  type MnistSplit,
} from './data/mnist.js';
export { FlArgumentError, FlProtocolError } from './errors.js';
export { Rng, hashInts, mix32, type RngState } from './rng.js';
export { sampleDirichlet, sampleGamma } from './distributions.js';
export {
  partitionDirichlet,
  partitionIid,
  partitionShards,
  summarizePartition,
  type DirichletOptions,
  type Partition,
  type PartitionSummary,
} from './partition.js';
export * from './models/index.js';
export { Sgd, type ProximalTerm, type SgdOptions, type SgdState } from './optim/sgd.js';
export { LocalTrainer, evaluate, type EvaluateResult, type TrainOptions, type TrainResult } from './train.js';
export * from './sim/index.js';
