import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadMnist } from '../../src/fl/data/mnist.js';
import { partitionDirichlet, partitionIid, partitionShards, summarizePartition, type Partition } from '../../src/fl/partition.js';
import { Rng } from '../../src/fl/rng.js';

const train = loadMnist('train');

function assertExactCover(parts: Partition, n: number): void {
  const seen = new Uint8Array(n);
  for (const part of parts) for (const i of part) seen[i]++;
  for (let i = 0; i < n; i++) assert.equal(seen[i], 1, `index ${i} appears ${seen[i]} times`);
}

describe('partitions', () => {
  it('IID: exact cover, equal sizes, seeded', () => {
    const parts = partitionIid(60000, 100, Rng.fromSeed(1));
    assertExactCover(parts, 60000);
    assert.ok(parts.every((p) => p.length === 600));
    const uneven = partitionIid(10, 3, Rng.fromSeed(1));
    assert.deepEqual(uneven.map((p) => p.length), [4, 3, 3]);
    assert.deepEqual(partitionIid(1000, 7, Rng.fromSeed(9)), partitionIid(1000, 7, Rng.fromSeed(9)));
    assert.notDeepEqual(partitionIid(1000, 7, Rng.fromSeed(9)), partitionIid(1000, 7, Rng.fromSeed(10)));
    const s = summarizePartition(parts, train.labels, 10);
    assert.ok(s.classesPerClient.every((c) => c === 10));
  });

  it('shards: 2 shards of sorted labels per client, as in FedAvg', () => {
    const parts = partitionShards(train.labels, 100, Rng.fromSeed(2));
    assertExactCover(parts, 60000);
    assert.ok(parts.every((p) => p.length === 600));
    const s = summarizePartition(parts, train.labels, 10);
    // A 300-example shard of sorted labels spans at most 2 classes, so a client holds at most 4.
    assert.ok(s.classesPerClient.every((c) => c >= 1 && c <= 4));
    const mean = s.classesPerClient.reduce((a, b) => a + b, 0) / 100;
    assert.ok(mean < 2.6, `mean classes per client ${mean}`);
    assert.deepEqual(partitionShards(train.labels, 100, Rng.fromSeed(2)), parts);
  });

  it('Dirichlet: exact cover, and smaller alpha means fewer classes per client', () => {
    const labels = train.labels.subarray(0, 20000);
    const meanTopShare = (alpha: number): number => {
      const parts = partitionDirichlet(labels, 20, alpha, Rng.fromSeed(3), { minSize: 10 });
      assertExactCover(parts, labels.length);
      assert.ok(parts.every((p) => p.length >= 10));
      const s = summarizePartition(parts, labels, 10);
      return s.counts.reduce((acc, row, c) => acc + Math.max(...row) / s.sizes[c], 0) / parts.length;
    };
    const skewed = meanTopShare(0.1);
    const mild = meanTopShare(1);
    const flat = meanTopShare(1000);
    assert.ok(skewed > 0.6, `alpha 0.1: top class share ${skewed}`);
    assert.ok(skewed > mild && mild > flat, `${skewed} > ${mild} > ${flat}`);
    assert.ok(flat < 0.15, `alpha 1000: top class share ${flat}`);
    assert.deepEqual(
      partitionDirichlet(labels, 20, 0.5, Rng.fromSeed(4)),
      partitionDirichlet(labels, 20, 0.5, Rng.fromSeed(4)),
    );
  });

  it('rejects impossible requests with clear errors', () => {
    assert.throws(() => partitionIid(5, 6, Rng.fromSeed(1)), /6 clients but only 5 examples/);
    assert.throws(() => partitionDirichlet(train.labels, 10, 0, Rng.fromSeed(1)), /alpha must be a positive number/);
    assert.throws(() => partitionShards(train.labels, 0, Rng.fromSeed(1)), /clients must be a positive integer/);
  });

  it('summarises label histograms as data and compact text', () => {
    const parts = partitionShards(train.labels, 30, Rng.fromSeed(5));
    const s = summarizePartition(parts, train.labels, 10, 6);
    assert.equal(s.counts.length, 30);
    assert.equal(s.counts[0].reduce((a, b) => a + b, 0), s.sizes[0]);
    const lines = s.text.split('\n');
    assert.equal(lines.length, 8); // 3 head + elision + 3 tail + totals
    assert.match(lines[0], /^client  0  n=2000  \S{10}  \d classes$/);
    assert.match(lines[3], /24 more clients/);
    assert.match(lines[7], /30 clients, 60000 examples; size min 2000/);
  });
});
