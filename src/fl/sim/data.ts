/**
 * The federated data set: MNIST train and test loaded once into shared memory, and the training set partitioned
 * over the clients. The partition is stored flat (all clients' example indices back to back, plus offsets) so
 * it too is two shared arrays that every worker reads without copying.
 */
import { loadMnist, mnistFiles, type Dataset } from '../data/mnist.js';
import { readIdxFile } from '../data/idx.js';
import { partitionDirichlet, partitionIid, partitionShards, summarizePartition, type Partition, type PartitionSummary } from '../partition.js';
import { Rng } from '../rng.js';
import type { SimConfig } from './config.js';
import type { SharedArena } from './memory.js';
import { PARTITION_STREAM } from './streams.js';

/** A partition as two flat arrays: client c holds `indices[offsets[c] .. offsets[c + 1])`. */
export interface FlatPartition {
  readonly indices: Uint32Array;
  readonly offsets: Uint32Array;
}

/** The data of one simulation, all in shared memory. */
export interface FederatedData {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly partition: FlatPartition;
  /** Examples per client (FedAvg's aggregation weights). */
  readonly clientSizes: readonly number[];
  readonly summary: PartitionSummary;
}

/** The data arrays a client task reads, as the task's context names them. */
export interface ContextArrays {
  readonly trainImages: Float32Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Float32Array;
  readonly testLabels: Uint8Array;
  readonly partIndices: Uint32Array;
  readonly partOffsets: Uint32Array;
}

/** The six arrays of a simulation's data, under the names of the client task's context. */
export function contextArrays(data: FederatedData): ContextArrays {
  return {
    trainImages: data.train.images,
    trainLabels: data.train.labels,
    testImages: data.test.images,
    testLabels: data.test.labels,
    partIndices: data.partition.indices,
    partOffsets: data.partition.offsets,
  };
}

/** Loads one MNIST split (its first `limit` images when > 0) straight into shared arrays. */
export function loadMnistShared(split: 'train' | 'test', limit: number, arena: SharedArena): Dataset {
  // The label file is small: read it first to size the shared arrays, then decode the images into them.
  const count = readIdxFile(mnistFiles(split).labels, limit > 0 ? { limit } : {}).dims[0];
  const images = arena.allocate(Float32Array, count * 784);
  const labels = arena.allocate(Uint8Array, count);
  return loadMnist(split, { limit: limit > 0 ? limit : undefined, images, labels });
}

/** Splits the training examples over the clients as the config says, from the seed's partition stream. */
export function partitionClients(config: SimConfig, labels: Uint8Array): Partition {
  const rng = Rng.derive(config.seed, PARTITION_STREAM);
  switch (config.partition) {
    case 'iid':
      return partitionIid(labels.length, config.clients, rng);
    case 'shards':
      return partitionShards(labels, config.clients, rng, config.shardsPerClient);
    case 'dirichlet':
      return partitionDirichlet(labels, config.clients, config.alpha, rng, { classes: 10 });
  }
}

/** Copies a partition into two shared arrays. */
export function flattenPartition(partition: Partition, arena: SharedArena): FlatPartition {
  const offsets = arena.allocate(Uint32Array, partition.length + 1);
  for (let c = 0; c < partition.length; c++) offsets[c + 1] = offsets[c] + partition[c].length;
  const indices = arena.allocate(Uint32Array, offsets[partition.length]);
  for (let c = 0; c < partition.length; c++) indices.set(partition[c], offsets[c]);
  return { indices, offsets };
}

/** Client `clientId`'s example indices (a view, no copy). */
export function clientIndices(partition: FlatPartition, clientId: number): Uint32Array {
  return partition.indices.subarray(partition.offsets[clientId], partition.offsets[clientId + 1]);
}

/** Loads train and test, partitions the training set and summarises the label histogram per client. */
export function loadFederatedData(config: SimConfig, arena: SharedArena): FederatedData {
  const train = loadMnistShared('train', config.trainLimit, arena);
  const test = loadMnistShared('test', config.testLimit, arena);
  const parts = partitionClients(config, train.labels);
  const partition = flattenPartition(parts, arena);
  return {
    train,
    test,
    partition,
    clientSizes: parts.map((p) => p.length),
    summary: summarizePartition(parts, train.labels, train.classes),
  };
}
