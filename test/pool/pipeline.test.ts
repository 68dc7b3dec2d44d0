/** How many tasks the pool keeps queued per worker, from each task function's measured run time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_DEPTH, MAX_DEPTH, MIN_DEPTH, PipelineDepth, SOLO_MS } from '../../src/pool/pipeline.js';

describe('pipeline depth', () => {
  it('sends one at a time until the cost is known', () => {
    assert.equal(new PipelineDepth(2).depthFor('x'), INITIAL_DEPTH);
  });

  it('fills the budget with tiny tasks, up to the cap', () => {
    const depth = new PipelineDepth(2);
    depth.observe('tiny', 0.01);
    assert.equal(depth.depthFor('tiny'), 200);
    depth.observe('tinier', 1e-6);
    assert.equal(depth.depthFor('tinier'), MAX_DEPTH);
  });

  it('keeps two in flight for tasks longer than the budget, so arguments travel while the worker runs', () => {
    const depth = new PipelineDepth(2);
    depth.observe('mid', 5);
    assert.equal(depth.depthFor('mid'), MIN_DEPTH);
    assert.equal(depth.isLong('mid'), true);
  });

  it('sends tasks longer than SOLO_MS alone, so no peer idles behind a queued one at the end of a burst', () => {
    const depth = new PipelineDepth(2);
    depth.observe('client', SOLO_MS * 5);
    assert.equal(depth.depthFor('client'), 1);
  });

  it('refills a worker only once it has run down to half its depth, and then to the full depth', () => {
    const depth = new PipelineDepth(2);
    depth.observe('f', 0.2); // depth 10
    assert.equal(depth.room('f', 0), 10);
    assert.equal(depth.room('f', 6), 0);
    assert.equal(depth.room('f', 5), 5);
    depth.observe('mid', 5); // depth 2: a worker holding one gets the second at once
    assert.equal(depth.room('mid', 1), 1);
    assert.equal(depth.room('mid', 2), 0);
    assert.equal(depth.room('unknown', 0), 1);
    assert.equal(depth.room('unknown', 1), 0);
  });

  it('follows a moving average of run times', () => {
    const depth = new PipelineDepth(4);
    depth.observe('t', 0.5);
    for (let i = 0; i < 40; i++) depth.observe('t', 0.01);
    assert.ok(depth.depthFor('t') > 100, String(depth.depthFor('t')));
  });
});
