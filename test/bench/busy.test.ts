/**
 * The study on a busy machine: with a CPU hog outside weft's process tree taking one core, every series records
 * the foreign load, the first runs again up to its bound (the rest once, the load having outlasted it), each is
 * marked busy, and the findings resting on it turn inconclusive
 * (saying why) instead of reading confirmed or not. Without the hog the same series record less load.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CASES } from '../../src/bench/cases/index.js';
import { BUSY_CORES } from '../../src/bench/load.js';
import { runStudy, type StudyEvent, type StudyResult } from '../../src/bench/runner.js';

const primes = CASES.filter((c) => c.name === 'primes');
const noPython = { available: false, path: '', reason: 'not needed here' } as const;
const study = (onEvent?: (e: StudyEvent) => void): Promise<StudyResult> =>
  runStudy({ cases: primes, size: 'quick', workers: [1, 2], variants: ['sequential', 'event-loop', 'thread'], repeat: 2, python: noPython, probe: false, busyPauseMs: 50, onEvent });

/**
 * A hog that is not our descendant (a shell starts it in the background and exits, so it is re-parented), as a
 * browser or a build would be; it stops itself after a minute should this test die before killing it.
 */
function startHog(): number {
  const script = 'const end = Date.now() + 60000; while (Date.now() < end);';
  return Number(execFileSync('sh', ['-c', `"${process.execPath}" -e '${script}' >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' }).trim());
}

describe('weft bench on a busy machine', { skip: process.platform === 'linux' ? undefined : 'reads /proc' }, () => {
  let quiet: StudyResult;
  let busy: StudyResult;
  const busyEvents: StudyEvent[] = [];
  let hog = 0;

  before(async () => {
    quiet = await study();
    hog = startHog();
    busy = await study((e) => busyEvents.push(e));
  });
  after(() => {
    try {
      if (hog) process.kill(hog, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  it('every series is still right, and records the hog as foreign load (not as its own)', () => {
    const series = busy.cases[0].series;
    assert.ok(series.length >= 5);
    for (const s of series) {
      assert.ok(s.ok, `${s.label} W=${s.workers}: ${s.error ?? s.check?.actual}`);
      assert.ok(s.load && s.load.cores > BUSY_CORES, `${s.label} W=${s.workers}: others took ${s.load?.cores}`);
      assert.equal(s.busy, true);
    }
    // The first series ran again up to the bound; once the load had outlasted that, the rest ran once each.
    assert.equal(series[0].tries, 3);
    for (const s of series.slice(1)) assert.equal(s.tries, 1, `${s.label} W=${s.workers}`);
    const median = (r: StudyResult): number => {
      const loads = r.cases[0].series.map((s) => s.load!.cores).sort((a, b) => a - b);
      return loads[Math.floor(loads.length / 2)];
    };
    assert.ok(median(quiet) < median(busy) - 0.3, `quiet ${median(quiet)} vs busy ${median(busy)}`);
  });

  it('says so while it runs: two more tries for the first series, then each one marked busy', () => {
    const events = busyEvents.filter((e) => e.kind === 'busy');
    assert.equal(events.filter((e) => e.kind === 'busy' && e.runs > 0).length, 2);
    assert.equal(events.filter((e) => e.kind === 'busy' && e.runs === 0).length, busy.cases[0].series.length);
  });

  it('no finding that rests on a busy series is judged: each is inconclusive and names the load', () => {
    const judged = busy.findings.filter((f) => f.verdict !== 'not measured');
    assert.ok(judged.length >= 3, judged.map((f) => f.id).join());
    for (const f of judged) {
      assert.equal(f.verdict, 'inconclusive', `${f.id}: ${f.evidence}`);
      assert.match(f.evidence, /machine busy: other processes took \d\.\d\d cores while primes/);
    }
  });
});
