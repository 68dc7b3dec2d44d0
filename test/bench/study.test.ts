/**
 * The study at tiny sizes: every case's check on every variant (Python peers too when numpy is
 * there), then the shape of the JSON, CSV and SVG outputs written from that one run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CASES } from '../../src/bench/cases/index.js';
import { detectPython } from '../../src/bench/python/detect.js';
import { CSV_COLUMNS } from '../../src/bench/report/csv.js';
import { writeResults, type WrittenFiles } from '../../src/bench/report/write.js';
import { runStudy, type StudyResult } from '../../src/bench/runner.js';
import { VARIANT_NAMES, VARIANTS } from '../../src/bench/variants.js';

const python = detectPython();
const NOT_TORCH = VARIANT_NAMES.filter((v) => !VARIANTS[v].needsTorch);
let result: StudyResult;
let files: WrittenFiles;
let dir: string;

describe('weft bench at tiny sizes', () => {
  before(async () => {
    if (!python.available) console.log(`# Python peers not tested: ${python.reason}`);
    // The PyTorch peers have their own test (test/bench/fl-torch.test.ts): they do not depend on the Node.
    result = await runStudy({ cases: CASES, size: 'tiny', workers: [2], repeat: 1, warmup: 0, python, probe: true, variants: NOT_TORCH });
    dir = await mkdtemp(join(tmpdir(), 'weft-bench-test-'));
    files = await writeResults(result, { out: dir });
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every case checks out on every variant', () => {
    for (const c of CASES) {
      const got = result.cases.find((x) => x.name === c.name)!;
      for (const spec of c.series) {
        if (VARIANTS[spec.variant].needsTorch || (VARIANTS[spec.variant].runtime === 'python' && !python.available)) continue;
        const s = got.series.find((x) => x.variant === spec.variant && x.mode === spec.mode);
        assert.ok(s, `${c.name} ${spec.variant} ${spec.mode ?? ''} ran`);
        assert.equal(s.error, undefined, `${c.name} ${s.label}: ${s.error}`);
        assert.ok(s.ok, `${c.name} ${s.label}: ${s.check?.actual} vs ${s.check?.expected}`);
        assert.equal(s.timesMs.length, 1);
      }
    }
  });

  it('the race is exact with the mutex and the atomic add, on threads and processes', () => {
    const race = result.cases.find((c) => c.name === 'race')!;
    for (const s of race.series.filter((x) => x.mode !== 'plain')) assert.equal(s.metrics?.lost[0], 0, s.label);
  });

  it('computes speedups against the sequential series and records memory', () => {
    const primes = result.cases.find((c) => c.name === 'primes')!;
    assert.equal(primes.series.find((s) => s.variant === 'sequential')!.speedup!.median, 1);
    const threads = primes.series.find((s) => s.variant === 'thread')!;
    assert.ok(threads.speedup!.median > 0 && threads.efficiency! > 0);
    assert.ok(threads.memory!.peak >= threads.memory!.baseline && threads.memory!.samples >= 1);
  });

  it('writes JSON with the machine, the probe, every series and the findings', async () => {
    const json = JSON.parse(await readFile(files.json, 'utf8')) as StudyResult;
    assert.equal(json.schema, 'weft.bench/1');
    for (const key of ['cpuModel', 'cores', 'memoryBytes', 'node'] as const) assert.ok(json.machine[key], key);
    assert.equal(json.python.available, python.available);
    assert.ok(json.bandwidth && json.bandwidth.points.length === 1 && json.bandwidth.points[0].gbps.median > 0);
    assert.deepEqual(json.cases.map((c) => c.name), ['primes', 'array-sum', 'race', 'fl', 'fl-cnn']);
    assert.ok(json.findings.length >= 10);
    for (const f of json.findings) assert.ok(['confirmed', 'not confirmed', 'mixed', 'inconclusive', 'not measured'].includes(f.verdict) && f.evidence.length > 0);
    if (!python.available) assert.ok(json.skipped.some((s) => s.includes('Python peers skipped')));
  });

  it('writes CSV with one row per timed run', async () => {
    const lines = (await readFile(files.csv, 'utf8')).trimEnd().split('\n');
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    const runs = result.cases.reduce((n, c) => n + c.series.reduce((m, s) => m + Math.max(1, s.timesMs.length), 0), 0);
    assert.equal(lines.length - 1, runs);
    const first = lines[1].split(',');
    assert.equal(first[0], 'primes');
    assert.ok(Number(first[CSV_COLUMNS.indexOf('ms')]) > 0);
  });

  it('writes one standalone SVG per chart', async () => {
    const names = await readdir(join(dir, 'charts'));
    assert.ok(names.includes('primes-speedup.svg') && names.includes('array-sum-throughput.svg') && names.includes('race-lost.svg'), names.join());
    for (const name of names) {
      const svg = await readFile(join(dir, 'charts', name), 'utf8');
      assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(svg, /<path|<line|<rect/);
    }
  });
});
