/**
 * The findings' judgement on made-up results: a busy series, a section too small to time and a suspect
 * baseline turn a finding inconclusive (saying why and what it would have read); the race is judged per backend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateFindings } from '../../src/bench/report/findings.js';
import { machineInfo } from '../../src/bench/machine.js';
import type { StudyResult } from '../../src/bench/result.js';
import type { CaseResult, SeriesResult } from '../../src/bench/types.js';
import type { VariantName } from '../../src/bench/variants.js';

const spread = (median: number) => ({ median, min: median, max: median });

function series(caseName: string, variant: VariantName, mode: string | undefined, workers: number, ms: number, extra: Partial<SeriesResult> = {}): SeriesResult {
  return { case: caseName, variant, mode, label: mode ? `${variant} (${mode})` : variant, runtime: 'node', workers, timesMs: [ms], time: spread(ms), ok: true, load: { cores: 0.02, share: 0.01, seconds: 1, foreignMs: 40 }, tries: 1, busy: false, ...extra };
}

function study(cases: CaseResult[]): StudyResult {
  return { schema: 'weft.bench/1', startedAt: '', durationMs: 0, size: 'quick', repeat: 1, workers: [1, 2], machine: { ...machineInfo(), cores: 2 }, python: { available: false, path: '', reason: 'made up' }, cases, skipped: [], findings: [] };
}

function primes(eventLoop: Partial<SeriesResult>, baselineSuspect?: string): CaseResult {
  const speedup = (ms: number) => ({ speedup: spread(100 / ms), efficiency: 100 / ms / 2, baselineSuspect });
  return {
    name: 'primes', title: 'Primes', summary: '', size: 'quick', params: {}, sizeLabel: '', scaling: 'strong', metrics: [],
    series: [
      series('primes', 'sequential', undefined, 1, 100),
      series('primes', 'event-loop', 'equal', 2, 100, { ...speedup(100), ...eventLoop }),
      series('primes', 'thread', 'balanced', 2, 52, speedup(52)),
      series('primes', 'thread', 'equal', 2, 60, speedup(60)),
    ],
  };
}

function race(threadLost: number, processLost: number): CaseResult {
  const lost = (pct: number): Partial<SeriesResult> => ({ metrics: { lost: [pct] } });
  return {
    name: 'race', title: 'Race', summary: '', size: 'quick', params: {}, sizeLabel: '', scaling: 'weak', metrics: [{ key: 'lost', label: 'lost', unit: '%' }],
    series: (['thread', 'process+shm'] as const).flatMap((v) => [
      series('race', v, 'plain', 2, 50, lost(v === 'thread' ? threadLost : processLost)),
      series('race', v, 'mutex', 2, 50),
      series('race', v, 'atomic', 2, 50),
    ]),
  };
}

const finding = (result: StudyResult, id: string) => evaluateFindings(result).find((f) => f.id === id)!;

describe('findings on made-up results', () => {
  it('judges a quiet run as before', () => {
    assert.equal(finding(study([primes({})]), 'event-loop').verdict, 'confirmed');
    assert.equal(finding(study([primes({})]), 'thread-scaling').verdict, 'confirmed');
  });

  it('a busy series makes its findings inconclusive, naming the load and what it would have read', () => {
    const f = finding(study([primes({ busy: true, tries: 3, load: { cores: 0.97, share: 0.48, seconds: 2, foreignMs: 1940 } })]), 'event-loop');
    assert.equal(f.verdict, 'inconclusive');
    assert.match(f.evidence, /machine busy: other processes took 0\.97 cores while primes event-loop \(equal\) at W = 2 ran \(3 tries\)/);
    assert.match(f.evidence, /would read "confirmed"/);
    // A finding that does not rest on the busy series is still judged.
    assert.equal(finding(study([primes({ busy: true, tries: 3, load: { cores: 0.97, share: 0.48, seconds: 2, foreignMs: 1940 } })]), 'thread-scaling').verdict, 'confirmed');
  });

  it('a section under a millisecond is too small to judge', () => {
    const f = finding(study([primes({ time: spread(0.4), timesMs: [0.4] })]), 'event-loop');
    assert.equal(f.verdict, 'inconclusive');
    assert.match(f.evidence, /too small to measure: primes event-loop \(equal\) at W = 2 took 0\.40 ms/);
  });

  it('a suspect baseline makes the findings that read speedups inconclusive', () => {
    const f = finding(study([primes({}, 'baseline suspect: thread (balanced) at W = 2 ran at 122% efficiency')]), 'thread-scaling');
    assert.equal(f.verdict, 'inconclusive');
    assert.match(f.evidence, /primes: baseline suspect: thread \(balanced\) at W = 2 ran at 122% efficiency/);
  });

  it('judges the race per backend: losses on both confirm it, a backend without losses is named', () => {
    assert.equal(finding(study([race(48, 51)]), 'race').verdict, 'confirmed');
    const f = finding(study([race(0, 51)]), 'race');
    assert.equal(f.verdict, 'mixed');
    assert.match(f.evidence, /lost nothing on thread/);
    assert.equal(finding(study([race(0, 0)]), 'race').verdict, 'not confirmed');
  });

  it('on a busy machine, lost updates still confirm the race; a backend that lost none is inconclusive', () => {
    const busyRace = (threadLost: number): CaseResult => {
      const c = race(threadLost, 51);
      for (const s of c.series) Object.assign(s, { busy: true, tries: 3, load: { cores: 0.9, share: 0.45, seconds: 1, foreignMs: 900 } });
      return c;
    };
    assert.equal(finding(study([busyRace(48)]), 'race').verdict, 'confirmed');
    const f = finding(study([busyRace(0)]), 'race');
    assert.equal(f.verdict, 'inconclusive');
    assert.match(f.evidence, /race thread \(plain\) at W = 2/);
    assert.match(f.evidence, /would read "mixed"/);
  });
});
