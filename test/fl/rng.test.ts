import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { sampleDirichlet, sampleGamma } from '../../src/fl/distributions.js';
import { Rng } from '../../src/fl/rng.js';
import { FlArgumentError } from '../../src/fl/errors.js';

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

describe('Rng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    assert.deepEqual(draws(Rng.fromSeed(42), 100), draws(Rng.fromSeed(42), 100));
    assert.notDeepEqual(draws(Rng.fromSeed(42), 10), draws(Rng.fromSeed(43), 10));
  });

  it('is xoshiro128** (reference outputs from state 1, 2, 3, 4)', () => {
    assert.deepEqual(draws(Rng.fromState([1, 2, 3, 4]), 6), [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('pins the seeding (a change here breaks reproducibility of saved runs)', () => {
    assert.deepEqual(draws(Rng.fromSeed(1), 3), [3020305836, 3889767380, 3688765106]);
  });

  it('saves and restores its state', () => {
    const a = Rng.fromSeed(7);
    draws(a, 13);
    const state = a.getState();
    const json = JSON.parse(JSON.stringify(state));
    const next = draws(a, 20);
    assert.deepEqual(draws(Rng.fromState(json), 20), next);
    const b = Rng.fromSeed(99);
    b.setState(state);
    assert.deepEqual(draws(b, 20), next);
  });

  it('derives independent streams from (seed, client, round)', () => {
    const streams = new Set<string>();
    for (let client = 0; client < 20; client++) {
      for (let round = 0; round < 20; round++) streams.add(draws(Rng.derive(5, client, round), 4).join(','));
    }
    assert.equal(streams.size, 400);
    assert.deepEqual(draws(Rng.derive(5, 3, 4), 5), draws(Rng.derive(5, 3, 4), 5));
    assert.notDeepEqual(draws(Rng.derive(5, 3, 4), 5), draws(Rng.derive(5, 4, 3), 5));
    assert.notDeepEqual(draws(Rng.derive(5, 3), 5), draws(Rng.derive(5, 3, 0), 5));
    // Neighbouring streams are uncorrelated: the bitwise agreement of their outputs is about one half.
    const a = draws(Rng.derive(1, 0, 0), 2000);
    const b = draws(Rng.derive(1, 1, 0), 2000);
    let same = 0;
    for (let i = 0; i < a.length; i++) {
      const x = ~(a[i] ^ b[i]) >>> 0;
      for (let bit = 0; bit < 32; bit++) same += (x >>> bit) & 1;
    }
    assert.ok(Math.abs(same / (32 * 2000) - 0.5) < 0.01, `bit agreement ${same / 64000}`);
  });

  it('draws floats in [0, 1), unbiased integers, normals and shuffles', () => {
    const rng = Rng.fromSeed(3);
    const counts = new Array(7).fill(0);
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < 70000; i++) {
      const f = rng.nextFloat();
      assert.ok(f >= 0 && f < 1);
      counts[rng.nextInt(7)]++;
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `bucket ${c}`);
    assert.ok(Math.abs(sum / 70000) < 0.02);
    assert.ok(Math.abs(sumSq / 70000 - 1) < 0.03);
    const a = Uint32Array.from({ length: 50 }, (_, i) => i);
    rng.shuffle(a);
    assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(Array.from(a), Array.from({ length: 50 }, (_, i) => i));
    assert.throws(() => rng.nextInt(0), FlArgumentError);
  });

  it('samples gamma and Dirichlet with the right means', () => {
    const rng = Rng.fromSeed(11);
    for (const shape of [0.1, 0.5, 1, 3.5]) {
      let sum = 0;
      const n = 40000;
      for (let i = 0; i < n; i++) sum += sampleGamma(rng, shape);
      assert.ok(Math.abs(sum / n - shape) < 0.05 * Math.max(1, shape), `gamma(${shape}) mean ${sum / n}`);
    }
    const p = sampleDirichlet(rng, [1, 2, 3]);
    assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-12);
  });
});
