// The wasm SIMD kernels against the JS reference kernels (float32 tolerance), and the wasm models' determinism.
// If kernels.wasm is missing it is built first (scripts/build-wasm.mjs, needs the wabt devDependency).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadMnist } from '../../src/fl/data/mnist.js';
import { createCnn } from '../../src/fl/models/cnn.js';
import { conv2dBackward, conv2dForward, type Conv2dShape } from '../../src/fl/models/conv2d.js';
import { denseBackward, denseForward, type DenseShape } from '../../src/fl/models/dense.js';
import { createMlp } from '../../src/fl/models/mlp.js';
import type { Model } from '../../src/fl/models/types.js';
import { Sgd } from '../../src/fl/optim/sgd.js';
import { LocalTrainer } from '../../src/fl/train.js';
import { Rng } from '../../src/fl/rng.js';
import { startThread } from '../../src/sync/thread.js';
import { WasmArena } from '../../src/fl/wasm/arena.js';
import { wasmConvBackward, wasmConvForward, type WasmConvLayer } from '../../src/fl/wasm/conv.js';
import { denseScratchEntries, wasmDenseBackward, wasmDenseForward, type WasmDenseLayer } from '../../src/fl/wasm/dense.js';
import { kernelChoice, kernelModule, kernelUnavailableReason } from '../../src/fl/wasm/loader.js';

const wasmFile = new URL('../../src/fl/wasm/kernels.wasm', import.meta.url);
if (!existsSync(wasmFile)) {
  const build = spawnSync(process.execPath, [new URL('../../scripts/build-wasm.mjs', import.meta.url).pathname], {
    encoding: 'utf8',
  });
  assert.equal(build.status, 0, `building kernels.wasm failed:\n${build.stderr}`);
}

function randomF32(rng: Rng, n: number, zeroFraction: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.nextFloat() < zeroFraction ? 0 : 2 * rng.nextFloat() - 1;
  return a;
}

/** |a - b| <= tol * (1 + max |b|), element by element: float32 sums in another order than the float64 reference. */
function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + scale), `${what}[${i}]: wasm ${a[i]}, js ${b[i]}`);
  }
}

/** Copies `data` into a fresh arena buffer and returns its address. */
function put(a: WasmArena, data: Float32Array): number {
  const p = a.alloc(data.length);
  a.f32.set(data, p >> 2);
  return p;
}

function get(a: WasmArena, p: number, n: number): Float32Array {
  return a.f32.slice(p >> 2, (p >> 2) + n);
}

function hash(a: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

describe('wasm kernels', () => {
  it('the process picks wasm (Node 20 has WebAssembly SIMD), unless WEFT_FL_KERNELS says js', () => {
    assert.notEqual(kernelModule(), null, kernelUnavailableReason());
    const saved = process.env.WEFT_FL_KERNELS;
    try {
      delete process.env.WEFT_FL_KERNELS;
      assert.equal(kernelChoice(), 'wasm');
      process.env.WEFT_FL_KERNELS = 'js';
      assert.equal(kernelChoice(), 'js');
      assert.equal(createMlp().constructor.name, 'Mlp');
      process.env.WEFT_FL_KERNELS = 'fast';
      assert.throws(() => kernelChoice(), /WEFT_FL_KERNELS must be wasm, js or auto/);
    } finally {
      if (saved === undefined) delete process.env.WEFT_FL_KERNELS;
      else process.env.WEFT_FL_KERNELS = saved;
    }
  });

  it('gather + spmv: every output block size (32, 4, 1), with and without bias, in place', () => {
    const rng = Rng.fromSeed(11);
    for (const n of [1, 3, 4, 7, 32, 37, 68]) {
      const a = new WasmArena();
      const rows = 9;
      const m = randomF32(rng, rows * n, 0);
      const x = randomF32(rng, rows, 0.4);
      const bias = randomF32(rng, n, 0);
      const mp = put(a, m);
      const xp = put(a, x);
      const bp = put(a, bias);
      const val = a.alloc(rows + 1);
      const idx = a.alloc(rows + 1);
      const out = a.alloc(n);
      const nnz = a.k.gather(xp, 4, rows, mp, 4 * n, val, idx, 0);
      assert.equal(nnz, x.filter((v) => v !== 0).length);
      const ref = Float64Array.from(bias);
      for (let r = 0; r < rows; r++) for (let o = 0; o < n; o++) ref[o] += x[r] * m[r * n + o];
      a.k.spmv(val, idx, nnz, 0, bp, out, n);
      assertClose(get(a, out, n), ref, `spmv n=${n}`);
      a.k.spmv(val, idx, nnz, 0, 0, out, n);
      assertClose(get(a, out, n), ref.map((v, o) => v - bias[o]), `spmv n=${n} no bias`);
      a.k.spmv(val, idx, nnz, 0, bp, bp, n);
      assertClose(get(a, bp, n), ref, `spmv n=${n} in place`);
    }
  });

  it('rowsdot: any number of vectors (4 at a time, then 1) and columns (4 at a time, then 1)', () => {
    const rng = Rng.fromSeed(12);
    for (const [rows, cols, nv] of [[5, 3, 1], [6, 10, 4], [7, 13, 6], [3, 64, 9]]) {
      const a = new WasmArena();
      const w = randomF32(rng, rows * cols, 0);
      const v = randomF32(rng, nv * cols, 0.3);
      const out = a.alloc(nv * rows);
      a.k.rowsdot(put(a, w), rows, cols, put(a, v), nv, 4 * cols, out, 4 * rows);
      const ref = new Float64Array(nv * rows);
      for (let b = 0; b < nv; b++) for (let i = 0; i < rows; i++) for (let o = 0; o < cols; o++) ref[b * rows + i] += w[i * cols + o] * v[b * cols + o];
      assertClose(get(a, out, nv * rows), ref, `rowsdot ${rows}x${cols} x${nv}`);
    }
  });

  it('dense layer: forward and backward match the JS layer', () => {
    const rng = Rng.fromSeed(13);
    const n = 5;
    const shape: DenseShape = { inSize: 37, outSize: 45, wOff: 3, bOff: 3 + 37 * 45 };
    const params = randomF32(rng, shape.bOff + 45 + 2, 0);
    const x = randomF32(rng, n * 37, 0.5).map((v) => Math.max(v, 0));
    const dy = randomF32(rng, n * 45, 0.5);
    const y = new Float32Array(n * 45);
    const grad = new Float32Array(params.length);
    const dx = new Float32Array(n * 37);
    denseForward(shape, params, x, y, n);
    denseBackward(shape, params, x, dy, grad, n, dx, true);

    const a = new WasmArena();
    const pp = put(a, params);
    const gp = a.alloc(params.length);
    const l: WasmDenseLayer = { inSize: 37, outSize: 45, w: pp + 12, b: pp + 4 * shape.bOff, gw: gp + 12, gb: gp + 4 * shape.bOff };
    const s = { val: a.alloc(denseScratchEntries(37, n)), idx: a.alloc(denseScratchEntries(37, n)) };
    const xp = put(a, x);
    const dyp = put(a, dy);
    const yp = a.alloc(n * 45);
    const dxp = a.alloc(n * 37);
    wasmDenseForward(a, l, xp, yp, n, s);
    wasmDenseBackward(a, l, xp, dyp, n, dxp, true, s);
    assertClose(get(a, yp, n * 45), y, 'dense y');
    assertClose(get(a, gp, params.length), grad, 'dense grad');
    assertClose(get(a, dxp, n * 37), dx, 'dense dx');
  });

  for (const [inC, outC, k] of [[1, 6, 5], [3, 40, 3], [8, 5, 5]]) {
    it(`conv layer ${k}x${k}, ${inC} -> ${outC} channels: forward and backward match the JS layer`, () => {
      const rng = Rng.fromSeed(14 + inC);
      const n = 2;
      const [h, w] = [7, 6];
      const patch = k * k * inC;
      const s: Conv2dShape = { height: h, width: w, inC, outC, k, wOff: 1, bOff: 1 + patch * outC };
      const params = randomF32(rng, s.bOff + outC + 1, 0);
      const x = randomF32(rng, n * h * w * inC, 0.4).map((v) => Math.max(v, 0));
      const dy = randomF32(rng, n * h * w * outC, 0.7);
      const y = new Float32Array(dy.length);
      const grad = new Float32Array(params.length);
      const dx = new Float32Array(x.length);
      conv2dForward(s, params, x, y, n);
      conv2dBackward(s, params, x, dy, grad, n, dx, true);

      const a = new WasmArena();
      const pp = put(a, params);
      const gp = a.alloc(params.length);
      const l: WasmConvLayer = { height: h, width: w, inC, outC, k, w: pp + 4, b: pp + 4 * s.bOff, gw: gp + 4, gb: gp + 4 * s.bOff };
      const list = Math.max(patch, h * w, outC) + 1;
      const scratch = {
        val: a.alloc(list),
        idx: a.alloc(list),
        col: a.alloc(h * w * patch),
        dcol: a.alloc(patch),
        wt: a.alloc(patch * outC),
        gwt: a.alloc(patch * outC),
      };
      const xp = put(a, x);
      const dyp = put(a, dy);
      const yp = a.alloc(y.length);
      const dxp = a.alloc(x.length);
      wasmConvForward(a, l, xp, yp, n, scratch);
      wasmConvBackward(a, l, xp, dyp, n, dxp, true, scratch);
      assertClose(get(a, yp, y.length), y, 'conv y');
      assertClose(get(a, gp, params.length), grad, 'conv grad');
      assertClose(get(a, dxp, x.length), dx, 'conv dx');
    });
  }
});

describe('wasm models', () => {
  const data = loadMnist('train', { limit: 64 });

  /** Loss and gradient of `make(kernels)` at the same parameters, for the JS and wasm kernels. */
  function both(make: (k: 'js' | 'wasm') => Model, n: number): { js: Float32Array; wasm: Float32Array; lossJs: number; lossWasm: number } {
    const js = make('js');
    const wasm = make('wasm');
    assert.equal(wasm.paramCount, js.paramCount);
    assert.deepEqual(wasm.layout, js.layout);
    const params = new Float32Array(js.paramCount);
    js.init(params, Rng.fromSeed(15));
    const x = data.images.subarray(0, n * 784);
    const gJs = new Float32Array(js.paramCount);
    const gWasm = new Float32Array(js.paramCount);
    const lossJs = js.lossAndGrad(params, gJs, x, data.labels, n);
    const lossWasm = wasm.lossAndGrad(params, gWasm, x, data.labels, n);
    return { js: gJs, wasm: gWasm, lossJs, lossWasm };
  }

  it('MLP 784-200-200-10 on MNIST: loss and gradient match the JS model', () => {
    const r = both((kernels) => createMlp({ kernels }), 32);
    assert.ok(Math.abs(r.lossJs - r.lossWasm) < 1e-5);
    assertClose(r.wasm, r.js, 'mlp grad');
  });

  it('CNN of FedAvg on MNIST: loss and gradient match the JS model', () => {
    const r = both((kernels) => createCnn({ kernels }), 4);
    assert.ok(Math.abs(r.lossJs - r.lossWasm) < 1e-5);
    assertClose(r.wasm, r.js, 'cnn grad');
  });

  it('predict and evaluate match the JS model', () => {
    for (const make of [(k: 'js' | 'wasm') => createMlp({ kernels: k }), (k: 'js' | 'wasm') => createCnn({ kernels: k, channels: [4, 8], hidden: 16 })]) {
      const js = make('js');
      const wasm = make('wasm');
      const params = new Float32Array(js.paramCount);
      js.init(params, Rng.fromSeed(16));
      const a = js.evaluate(params, data.images, data.labels, 60);
      const b = wasm.evaluate(params, data.images, data.labels, 60);
      assert.equal(b.correct, a.correct);
      assert.ok(Math.abs(a.lossSum - b.lossSum) < 1e-4 * a.lossSum);
    }
  });

  it('a step session gives the bits of lossAndGrad + Sgd.step (SIMD and tail of the step, a batch that grows the arena)', () => {
    for (const make of [() => createMlp({ kernels: 'wasm' }), () => createCnn({ kernels: 'wasm' })]) {
      const model = make();
      const other = make();
      assert.ok(model.paramCount % 4 !== 0, 'the parameter count leaves a tail for the one-at-a-time loop');
      const start = new Float32Array(model.paramCount);
      model.init(start, Rng.fromSeed(21));
      const fused = start.slice();
      const apart = start.slice();
      const grad = new Float32Array(model.paramCount);
      const sgd = new Sgd({ lr: 0.05 });
      assert.equal(sgd.plainRate(), 0.05);
      const session = model.startSteps!(fused, 0.05);
      for (const [from, n] of [[0, 10], [10, 7], [17, 20], [37, 10]]) {
        const x = data.images.subarray(from * 784, (from + n) * 784);
        const labels = data.labels.subarray(from, from + n);
        const lossFused = session.step(x, labels, n);
        const lossApart = other.lossAndGrad(apart, grad, x, labels, n);
        sgd.step(apart, grad);
        assert.equal(lossFused, lossApart);
      }
      session.finish();
      assert.equal(hash(fused), hash(apart));
      assert.notEqual(hash(fused), hash(start));
    }
  });

  it('while a step session is open the model refuses other calls; finish() frees it', () => {
    const model = createMlp({ kernels: 'wasm' });
    const params = new Float32Array(model.paramCount);
    model.init(params, Rng.fromSeed(24));
    const session = model.startSteps!(params, 0.05);
    session.step(data.images.subarray(0, 784 * 4), data.labels, 4);
    assert.throws(() => model.evaluate(params, data.images, data.labels, 5), /finish\(\) its step session/);
    assert.throws(() => model.lossAndGrad(params, new Float32Array(model.paramCount), data.images, data.labels, 4), /finish\(\) its step session/);
    assert.throws(() => model.startSteps!(params, 0.05), /already open/);
    session.finish();
    session.finish();
    assert.throws(() => session.step(data.images, data.labels, 4), /session is finished/);
    assert.equal(model.evaluate(params, data.images, data.labels, 5).count, 5);
  });

  it('LocalTrainer ends on the same model through the fused step as through lossAndGrad + step', () => {
    const model = createMlp({ kernels: 'wasm' });
    // The same model without startSteps, so the trainer takes the separate path.
    const unfused: Model = Object.assign(Object.create(Object.getPrototypeOf(model)), model, { startSteps: undefined });
    const start = new Float32Array(model.paramCount);
    model.init(start, Rng.fromSeed(22));
    const ends = [model, unfused].map((m) => {
      const params = start.slice();
      const indices = Array.from({ length: 64 }, (_, i) => i);
      new LocalTrainer(m).train(params, indices, data, { epochs: 2, batchSize: 10 }, new Sgd({ lr: 0.05 }), Rng.fromSeed(23));
      return hash(params);
    });
    assert.equal(ends[0], ends[1]);
  });

  it('only a plain step is fused: momentum, weight decay or a proximal term keep the separate step', () => {
    assert.equal(new Sgd({ lr: 0.1, momentum: 0.9 }).plainRate(), null);
    assert.equal(new Sgd({ lr: 0.1, weightDecay: 1e-4 }).plainRate(), null);
    const prox = new Sgd({ lr: 0.1 });
    prox.setProximal({ mu: 0.01, anchor: new Float32Array(4) });
    assert.equal(prox.plainRate(), null);
  });

  it('bit-identical gradients across instances, calls with other batch sizes in between, and a worker thread', async () => {
    const n = 10;
    const x = data.images.subarray(0, n * 784);
    const params = new Float32Array(createCnn().paramCount);
    const model = createCnn({ kernels: 'wasm' });
    model.init(params, Rng.fromSeed(17));
    const g = new Float32Array(params.length);
    model.lossAndGrad(params, g, x, data.labels, n);
    const expected = hash(g);
    model.lossAndGrad(params, g, data.images, data.labels, 20); // grows the arena
    model.lossAndGrad(params, g, x, data.labels, n);
    assert.equal(hash(g), expected);
    const other = createCnn({ kernels: 'wasm' });
    other.lossAndGrad(params, g, x, data.labels, n);
    assert.equal(hash(g), expected);

    const worker = startThread(new URL('./wasm-grad-worker.ts', import.meta.url), { workerData: { params, seedCount: n } });
    const fromWorker = await new Promise<string>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.equal(fromWorker, expected);
  });
});
