/**
 * The talk's claims, each checked against this run's numbers. A claim whose series were not run
 * (case or variant not selected, Python missing) is "not measured", never guessed; one whose series
 * ran on a busy machine, too briefly to time, or against a suspect baseline is "inconclusive", with why.
 */
import type { Finding, StudyResult, Verdict } from '../result.js';
import type { SeriesResult } from '../types.js';
import type { VariantName } from '../variants.js';
import { formatMb, formatPercent, formatRatio } from './format.js';
import { pytorchFinding } from './findings-pytorch.js';

/**
 * What a finding reads of a series. Its times by default, which a busy machine or a too-small section spoils;
 * `speed`: its speedup or efficiency, so its baseline must be sound too; `outcome`: what it computed or how much
 * memory it held (lost updates, exactness, peak memory), which a busy machine does not make wrong.
 */
type Reads = 'time' | 'speed' | 'outcome';
export type Lookup = (caseName: string, variant: VariantName, mode: string | undefined, workers: number, reads?: Reads) => SeriesResult | undefined;

interface Used {
  series: SeriesResult;
  speed: boolean;
}

function lookup(result: StudyResult, used: Used[]): Lookup {
  return (caseName, variant, mode, workers, reads) => {
    const series = result.cases
      .find((c) => c.name === caseName)
      ?.series.find((s) => s.variant === variant && s.mode === mode && s.workers === workers && s.time !== undefined);
    if (series && reads !== 'outcome') used.push({ series, speed: reads === 'speed' });
    return series;
  };
}

/** Below this, a timed section is too small for its median to mean much (timer, scheduling and GC noise). */
const TOO_SMALL_MS = 1;

/** Why the series a finding rests on cannot judge it, or an empty list. */
function doubts(used: readonly Used[]): string[] {
  const reasons = new Set<string>();
  for (const { series: s, speed } of used) {
    const name = `${s.case} ${s.label} at W = ${s.workers}`;
    if (s.busy) reasons.add(`machine busy: other processes took ${s.load!.cores.toFixed(2)} cores while ${name} ran (${s.tries ?? 1} tries)`);
    if (s.time && s.time.median < TOO_SMALL_MS) reasons.add(`too small to measure: ${name} took ${s.time.median.toFixed(2)} ms`);
    if (speed && s.baselineSuspect) reasons.add(`${s.case}: ${s.baselineSuspect}`);
  }
  return [...reasons];
}

/** A judged finding, unless the series behind it cannot judge it: then inconclusive, saying why. */
function weigh(finding: Finding, used: readonly Used[]): Finding {
  if (finding.verdict === 'not measured') return finding;
  const why = doubts(used);
  if (why.length === 0) return finding;
  return { ...finding, verdict: 'inconclusive', evidence: `Inconclusive (${why.join('; ')}). As measured it would read "${finding.verdict}": ${finding.evidence}` };
}

/** The worker count the targets speak of: the CPU count if it was measured, else the closest below it. */
export function targetWorkers(result: StudyResult): number {
  const cores = result.machine.cores;
  if (result.workers.includes(cores)) return cores;
  const below = result.workers.filter((w) => w <= cores);
  return below.length > 0 ? Math.max(...below) : Math.max(...result.workers);
}

const notMeasured = (id: string, claim: string, why: string, target?: string): Finding => ({
  id,
  claim,
  target,
  verdict: 'not measured',
  evidence: why,
});

/** Evaluates every claim. */
export function evaluateFindings(result: StudyResult): Finding[] {
  const used: Used[] = [];
  const find = lookup(result, used);
  const W = targetWorkers(result);
  const atW = `W = ${W}${W === result.machine.cores ? ' (the CPU count)' : ''}`;
  const py = result.python;
  const pyName = py.version ? `CPython ${py.version}${py.gil === false ? ' (free-threaded, GIL off)' : ' with the GIL'}` : 'CPython';
  const findings: Finding[] = [];
  // Every finding is added through here: it is weighed against the series looked up since the last one.
  const add = (finding: Finding): void => {
    findings.push(weigh(finding, used.splice(0)));
  };

  // 1. Concurrency is not parallelism.
  {
    const claim = "Concurrency is not parallelism: CPU-bound chunks run as async tasks on Node's one event loop get no speedup (the event loop plays the GIL's part).";
    const ev = ['primes', 'array-sum'].map((c) => ({ c, s: find(c, 'event-loop', c === 'primes' ? 'equal' : undefined, W, 'speed') })).filter((x) => x.s?.speedup);
    if (ev.length === 0) add(notMeasured('event-loop', claim, 'the event-loop variant was not run'));
    else {
      const ok = ev.every((x) => x.s!.speedup!.median < 1.15);
      add({
        id: 'event-loop',
        claim,
        verdict: ok ? 'confirmed' : 'not confirmed',
        evidence: ev.map((x) => `${x.c}: event-loop at ${atW} runs at ${formatRatio(x.s!.speedup!)} the sequential speed`).join('; ') + '.',
      });
    }
  }

  // 2. The GIL: Python threads do not speed up CPU-bound work.
  {
    const claim = 'With the GIL, Python threads give no speedup on CPU-bound work (case 1).';
    const s = find('primes', 'py-threading', 'equal', W, 'speed');
    if (!py.available) add(notMeasured('gil', claim, `Python peers skipped: ${py.reason ?? 'no Python'}`));
    else if (!s?.speedup) add(notMeasured('gil', claim, 'py-threading was not run at that worker count'));
    else {
      const mp = find('primes', 'py-processes', 'equal', W, 'speed');
      add({
        id: 'gil',
        claim,
        verdict: py.gil === false ? (s.speedup.median > 1.5 ? 'confirmed' : 'not confirmed') : s.speedup.median < 1.15 ? 'confirmed' : 'not confirmed',
        evidence:
          `${pyName}: threading at ${atW} is ${formatRatio(s.speedup)} its one-thread speed` +
          (mp?.speedup ? `, multiprocessing ${formatRatio(mp.speedup)}` : '') +
          (py.freeThreadedBuild ? '.' : '. No free-threaded CPython build is installed here, so the talk\'s "after" (3.13t/3.14t) side is not reproduced.'),
      });
    }
  }

  // 3. Target: threads scale on embarrassingly parallel work.
  {
    const claim = 'Truly parallel threads scale on embarrassingly parallel work (case 1): Node worker threads, balanced split.';
    const target = `parallel efficiency >= 90% at ${atW}`;
    const s = find('primes', 'thread', 'balanced', W, 'speed');
    if (!s?.speedup || s.efficiency === undefined) add(notMeasured('thread-scaling', claim, 'thread (balanced) or the sequential baseline was not run', target));
    else
      add({
        id: 'thread-scaling',
        claim,
        target,
        verdict: s.efficiency >= 0.9 ? 'confirmed' : 'not confirmed',
        evidence: `speedup ${formatRatio(s.speedup)} on ${W} threads: efficiency ${formatPercent(s.efficiency)} (from the range: ${formatPercent(s.speedup.min / W)}–${formatPercent(s.speedup.max / W)}).`,
      });
  }

  // 4. The equal split is unbalanced.
  {
    const claim = "Equal ranges cost unequal time: larger numbers need more divisions, so the talk's equal split leaves workers idle; a balanced split fixes it.";
    const eq = find('primes', 'thread', 'equal', W, 'speed');
    const bal = find('primes', 'thread', 'balanced', W, 'speed');
    if (W < 2 || !eq?.efficiency || !bal?.efficiency) add(notMeasured('split', claim, 'needs thread (equal) and thread (balanced) at W >= 2'));
    else
      add({
        id: 'split',
        claim,
        verdict: bal.time!.median < eq.time!.median * 0.97 ? 'confirmed' : 'not confirmed',
        evidence: `threads at ${atW}: equal split ${formatPercent(eq.efficiency)} efficiency, balanced ${formatPercent(bal.efficiency)}.`,
      });
  }

  // 5. Threads match processes on case 1.
  {
    const claim = 'For pure parallel work (case 1), truly parallel threads are as fast as processes.';
    const t = find('primes', 'thread', 'balanced', W);
    const p = find('primes', 'process', 'balanced', W);
    if (!t?.time || !p?.time) add(notMeasured('threads-vs-processes', claim, 'needs thread and process (balanced)'));
    else {
      const ratio = p.time.median / t.time.median;
      add({
        id: 'threads-vs-processes',
        claim,
        verdict: ratio >= 0.9 ? 'confirmed' : 'not confirmed',
        evidence: `at ${atW} processes take ${ratio.toFixed(2)}x the threads' time (threads ${t.time.median.toFixed(1)} ms, processes ${p.time.median.toFixed(1)} ms, medians).`,
      });
    }
  }

  // 6. Target: Node vs Python.
  {
    const claim = 'Node beats its Python peer on case 1 at every worker count (same algorithm, same split).';
    const target = '>= 10x at every W';
    if (!py.available) add(notMeasured('node-vs-python', claim, `Python peers skipped: ${py.reason ?? 'no Python'}`, target));
    else {
      const pairs: { w: number; what: string; ratio: number }[] = [];
      for (const w of result.workers) {
        for (const [node, peer] of [['thread', 'py-threading'], ['process', 'py-processes']] as const) {
          const a = find('primes', node, 'equal', w);
          const b = find('primes', peer, 'equal', w);
          if (a?.time && b?.time) pairs.push({ w, what: `${node} vs ${peer}`, ratio: b.time.median / a.time.median });
        }
      }
      if (pairs.length === 0) add(notMeasured('node-vs-python', claim, 'no matching Node and Python series', target));
      else {
        const worst = Math.min(...pairs.map((p) => p.ratio));
        add({
          id: 'node-vs-python',
          claim,
          target,
          verdict: worst >= 10 ? 'confirmed' : 'not confirmed',
          evidence: `${pyName} time / Node time, equal split: ${pairs.map((p) => `W=${p.w} ${p.what} ${p.ratio.toFixed(1)}x`).join(', ')}; lowest ${worst.toFixed(1)}x.`,
        });
      }
    }
  }

  // 7. Target: threads beat copying processes on shared data.
  {
    const claim = 'With shared data (case 2), threads win: they read the array in place while processes pay for copies.';
    const target = 'threads >= 1.5x faster than process-with-copy at W = 2';
    const t = find('array-sum', 'thread', undefined, 2);
    const p = find('array-sum', 'process', undefined, 2);
    if (!t?.time || !p?.time) add(notMeasured('shared-data', claim, 'needs array-sum thread and process at W = 2', target));
    else {
      const ratio = p.time.median / t.time.median;
      add({
        id: 'shared-data',
        claim,
        target,
        verdict: ratio >= 1.5 ? 'confirmed' : 'not confirmed',
        evidence: `W = 2: process-with-copy ${p.time.median.toFixed(1)} ms vs threads ${t.time.median.toFixed(1)} ms (medians): threads ${ratio.toFixed(1)}x faster (range ${(p.time.min / t.time.max).toFixed(1)}–${(p.time.max / t.time.min).toFixed(1)}x).`,
      });
    }
  }

  // 8. Processes pay even with shared memory.
  {
    const claim = 'Processes pay even with shared memory (case 2): attaching and the process machinery cost more than threads reading in place.';
    const t = find('array-sum', 'thread', undefined, W);
    const s = find('array-sum', 'process+shm', undefined, W);
    if (!t?.time || !s?.time) add(notMeasured('shm-cost', claim, 'needs array-sum thread and process+shm'));
    else {
      const ratio = s.time.median / t.time.median;
      add({
        id: 'shm-cost',
        claim,
        verdict: ratio > 1.05 ? 'confirmed' : 'not confirmed',
        evidence:
          `at ${atW}: process+shm ${s.time.median.toFixed(1)} ms vs threads ${t.time.median.toFixed(1)} ms (${ratio.toFixed(2)}x). ` +
          'weft maps a segment once per worker process and reuses the mapping, so only the first run pays the page faults; the talk re-attaches per task.',
      });
    }
  }

  // 9. Target: threads reach the memory bandwidth, with the SIMD loop; the plain loop shows what bounds it.
  {
    const claim =
      "Threads reading shared data run at the speed of memory: array-sum's SIMD loop on threads reaches the machine's read bandwidth, while the talk's plain loop is held back by its one chain of additions.";
    const target = `the SIMD loop's median >= 85% of the probed read bandwidth (best pass) at ${atW}`;
    const simd = find('array-sum', 'thread', 'simd', W);
    const plain = find('array-sum', 'thread', undefined, W);
    const probe = result.bandwidth?.points.find((p) => p.workers === W);
    if (!simd?.throughput || !probe) add(notMeasured('bandwidth', claim, 'needs array-sum thread (simd) and the bandwidth probe', target));
    else {
      // The probe's best pass is the machine's capability (as STREAM reports it); each loop's median is compared
      // with it. On a VM whose bandwidth drifts the probe can come out below a loop's best pass: then that pass is
      // the ceiling, which only makes the target harder.
      const bestLoop = Math.max(simd.throughput.max, plain?.throughput?.max ?? 0);
      const ceiling = Math.max(probe.gbps.max, bestLoop);
      const probeLow = bestLoop > probe.gbps.max;
      const share = (s: SeriesResult): number => s.throughput!.median / ceiling;
      // At 85% of what memory delivers a loop waits on memory; below it, on its own instructions.
      const bound = (s: SeriesResult): string => (share(s) >= 0.85 ? 'bound by memory' : 'bound by its own instructions, not by memory');
      const one = result.bandwidth!.points.find((p) => p.workers === 1);
      const inJs = result.bandwidth!.kernel === 'js';
      const describe = (name: string, s: SeriesResult): string =>
        `${name} sums at ${formatRatio(s.throughput!, ' GB/s')} (median, range), ${formatPercent(share(s))} of the ceiling: ${bound(s)}`;
      add({
        id: 'bandwidth',
        claim,
        target,
        // A JavaScript probe reads below memory's speed, so a share of it cannot show a loop at memory speed.
        verdict: inJs ? 'not measured' : share(simd) >= 0.85 ? 'confirmed' : 'not confirmed',
        evidence:
          `the probe's best pass reads ${probe.gbps.max.toFixed(1)} GB/s on ${W} threads${one && W !== 1 ? ` (${one.gbps.max.toFixed(1)} GB/s on one)` : ''}` +
          `${inJs ? ' in JavaScript, because the native addon did not load: that is below what memory allows, so no loop can be judged against it' : ' in C'}` +
          `${probeLow ? `; a loop's best pass read more (${bestLoop.toFixed(1)} GB/s), so that is the ceiling here` : ''}. ` +
          `${describe('The SIMD loop', simd)}` +
          (plain?.throughput ? `; ${describe("the talk's plain loop", plain)}.` : '.'),
      });
    }
  }

  // 10. Target: memory.
  {
    const claim = 'Threads and shared memory keep one copy of the data; processes that receive their slices hold copies.';
    const target = 'peak memory above the idle baseline of thread and process+shm near the array size; process-with-copy visibly more';
    const c = result.cases.find((x) => x.name === 'array-sum');
    const bytes = c?.dataBytes;
    const t = find('array-sum', 'thread', undefined, W, 'outcome');
    const s = find('array-sum', 'process+shm', undefined, W, 'outcome');
    const p = find('array-sum', 'process', undefined, W, 'outcome');
    if (!bytes || !t?.memory || !s?.memory || !p?.memory) add(notMeasured('memory', claim, 'needs array-sum thread, process and process+shm with memory sampling (Linux /proc)', target));
    else {
      const above = (x: SeriesResult): number => x.memory!.peak - x.memory!.baseline;
      // Allowance for the runtimes themselves: a Node worker thread or child process costs tens of MB.
      const allowance = (workers: number, perWorker: number): number => 0.2 * bytes + workers * perWorker;
      const threadNear = above(t) <= bytes + allowance(W, 16e6);
      const shmNear = above(s) <= bytes + allowance(W, 64e6);
      const copies = above(p) - above(s) >= 0.5 * bytes;
      add({
        id: 'memory',
        claim,
        target,
        verdict: threadNear && shmNear && copies ? 'confirmed' : threadNear || shmNear || copies ? 'mixed' : 'not confirmed',
        evidence:
          `array ${formatMb(bytes)}; peak above baseline at ${atW}: threads ${formatMb(above(t))}, process+shm ${formatMb(above(s))}, process-with-copy ${formatMb(above(p))}` +
          ` (allowing 20% + 16 MB per thread / 64 MB per process for the runtimes; shared pages counted once).`,
      });
    }
  }

  // 11. The race.
  {
    const claim = "Shared memory opens the door to races: without a lock, 'counter += 1' from parallel workers loses updates; a lock (or an atomic add) makes it exact.";
    const rows: string[] = [];
    // Judged per backend: the race must show on each, or the finding says where it did not.
    const lostOn: string[] = [];
    const noLossOn: string[] = [];
    let exact = true;
    let measured = false;
    for (const variant of ['thread', 'process+shm'] as const) {
      // Lost updates prove the race however busy the machine was; none lost may only mean the OS ran the
      // loops one after the other, which a busy machine makes likely, so only that case is weighed.
      const plain = find('race', variant, 'plain', W, 'outcome');
      const mutex = find('race', variant, 'mutex', W, 'outcome');
      const atomic = find('race', variant, 'atomic', W, 'outcome');
      if (!plain && !mutex && !atomic) continue;
      measured = true;
      const lost = plain?.metrics?.lost ?? [];
      if (lost.some((x) => x > 0)) lostOn.push(variant);
      else if (plain) {
        noLossOn.push(variant);
        used.push({ series: plain, speed: false });
      }
      if ((mutex && !mutex.ok) || (atomic && !atomic.ok)) exact = false;
      rows.push(
        `${variant} at ${atW}: plain lost ${lost.map((x) => `${x.toFixed(1)}%`).join(', ') || 'n/a'} of the updates; mutex ${mutex ? (mutex.ok ? 'exact' : 'WRONG') : 'n/a'}, atomic ${atomic ? (atomic.ok ? 'exact' : 'WRONG') : 'n/a'}`,
      );
    }
    if (!measured || W < 2) add(notMeasured('race', claim, 'the race case needs W >= 2'));
    else
      add({
        id: 'race',
        claim,
        verdict: !exact ? 'not confirmed' : lostOn.length > 0 && noLossOn.length === 0 ? 'confirmed' : lostOn.length > 0 ? 'mixed' : 'not confirmed',
        evidence:
          rows.join('; ') +
          (noLossOn.length > 0 ? `. The plain loop lost nothing on ${noLossOn.join(' and ')}: there the workers' loops did not overlap (the OS ran them one after the other).` : '.'),
      });
  }

  // 12. FL, light and heavy: threads at least as fast as processes; the heavy case also scales.
  for (const [id, label] of [['fl', 'light (MLP, many small clients)'], ['fl-cnn', 'heavy (CNN)']] as const) {
    const claim = `In an FL simulation (case 3, ${label}), threads win: sharing the model costs them nothing, processes pay for the machinery.`;
    const t = find(id, 'thread', undefined, W, 'speed');
    const p = find(id, 'process+shm', undefined, W);
    if (!t?.time || !p?.time) {
      add(notMeasured(id, claim, `needs the ${id} case on thread and process+shm`));
      continue;
    }
    const ratio = p.time.median / t.time.median;
    // Within 5% either way is a tie on a shared machine, not a win.
    const verdict: Verdict = ratio > 1.05 ? 'confirmed' : ratio >= 0.95 ? 'mixed' : 'not confirmed';
    const efficiency = t.speedup ? t.speedup.median / W : undefined;
    add({
      id,
      claim: id === 'fl-cnn' ? `${claim} Target: threads >= 90% parallel efficiency at ${atW} and at least as fast as processes.` : claim,
      verdict: id === 'fl-cnn' && efficiency !== undefined && efficiency < 0.9 ? 'not confirmed' : verdict,
      evidence:
        `at ${atW}: rounds took ${t.time.median.toFixed(0)} ms on threads vs ${p.time.median.toFixed(0)} ms on processes with shared memory (${ratio.toFixed(2)}x)` +
        (t.speedup ? `; threads ${t.speedup.median.toFixed(2)}x the sequential speed (${Math.round((efficiency ?? 0) * 100)}% efficiency).` : '.'),
    });
  }

  // 13. weft's kernels against PyTorch on the same schedule.
  {
    const judged = pytorchFinding(find);
    add('notMeasured' in judged ? notMeasured('pytorch', judged.claim, judged.notMeasured, judged.target) : judged);
  }
  return findings;
}
