/** The decision chart for Node: each branch, and the measured figures it cites. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { advise } from '../../src/playbook/advisor.js';
import { EVIDENCE } from '../../src/playbook/evidence.js';

test('I/O-bound work stays on the event loop', () => {
  const advice = advise({ ioBound: true });
  assert.equal(advice.recommendation, 'event-loop');
  assert.deepEqual(advice.path, ['more than one machine: no', 'I/O-bound: yes']);
  assert.ok(advice.evidence.includes(EVIDENCE.eventLoopNoSpeedup));
});

test('CPU-bound work on shared data goes to threads with shared memory', () => {
  const advice = advise({ cpuBound: true, sharedDataMb: 800 });
  assert.equal(advice.recommendation, 'thread+shared');
  assert.match(advice.summary, /sharedArray/);
  assert.equal(advice.evidence[0], EVIDENCE.sharedBeatsCopies);
  assert.match(advice.evidence[0].figure, /23\.9x/);
});

test('CPU-bound work without shared data: threads, and measure against processes', () => {
  const advice = advise({ cpuBound: true, sharedDataMb: 0.1 });
  assert.equal(advice.recommendation, 'thread');
  assert.ok(advice.path.includes('shared data: 0.1 MB (no, under 1 MB)'));
  assert.match(advice.summary, /backend: 'auto'/);
});

test('crash containment sends CPU work to processes, with /dev/shm when data is shared', () => {
  assert.equal(advise({ cpuBound: true, isolation: true }).recommendation, 'process');
  const shared = advise({ cpuBound: true, isolation: true, sharedDataMb: 100 });
  assert.equal(shared.recommendation, 'process+shm');
  assert.ok(shared.evidence.includes(EVIDENCE.processShm) && shared.evidence.includes(EVIDENCE.isolation));
});

test('more than one machine goes to the cluster backend, and the chart still applies on each machine', () => {
  const advice = advise({ machines: 8, cpuBound: true, sharedDataMb: 50 });
  assert.equal(advice.recommendation, 'distributed');
  assert.match(advice.summary, /on each machine: worker threads sharing the data/);
  assert.match(advice.summary, /backend: 'cluster'.*weft worker/);
  assert.ok(advice.evidence.includes(EVIDENCE.cluster));
  assert.equal(advice.path[0], 'more than one machine (8): yes');
  assert.ok(!advice.path.some((p) => p.includes('on each machine, more than one machine')));
});

test('mixed I/O and CPU work: the event loop for the I/O, threads for the computing; nothing said: measure', () => {
  const mixed = advise({ ioBound: true, cpuBound: true });
  assert.equal(mixed.recommendation, 'event-loop+threads');
  assert.match(mixed.summary, /^keep the I\/O on the event loop and send the CPU work to worker threads/);
  assert.equal(advise({ sharedDataMb: 10 }).recommendation, 'measure');
});

test('every figure cited has a command to reproduce it', () => {
  for (const e of Object.values(EVIDENCE)) {
    assert.match(e.figure, /\d/);
    assert.match(e.command, /^(weft bench|(npm run build && )?npx tsx bench\/|node scripts\/run-tests\.mjs)/);
  }
});

test('every figure the advice quotes is one the README or docs/ report (one source for both)', () => {
  const docs = new URL('../../docs/', import.meta.url);
  const pages = [new URL('../../README.md', import.meta.url), ...readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => new URL(f, docs))];
  const text = pages.map((page) => readFileSync(page, 'utf8')).join('\n').replace(/\*\*/g, '');
  for (const [name, evidence] of Object.entries(EVIDENCE)) {
    // Numbers of three characters or more ("58.0", "1.82", "22,277"): a lone "2" would match anything.
    const figures = (evidence.figure.match(/\d[\d,]*(?:\.\d+)?/g) ?? []).filter((n) => n.length >= 3);
    const missing = figures.filter((n) => !text.includes(n));
    assert.deepEqual(missing, [], `${name}: ${evidence.figure}`);
  }
});
