// Worker for wasm-kernels.test.ts: the CNN gradient on the first `seedCount` MNIST images, hashed.
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { loadMnist } from '../../src/fl/data/mnist.js';
import { createCnn } from '../../src/fl/models/cnn.js';

const { params, seedCount: n } = workerData as { params: Float32Array; seedCount: number };
const data = loadMnist('train', { limit: n });
const model = createCnn({ kernels: 'wasm' });
const g = new Float32Array(model.paramCount);
model.lossAndGrad(params, g, data.images, data.labels, n);
parentPort?.postMessage(createHash('sha256').update(new Uint8Array(g.buffer)).digest('hex'));
