/**
 * Executor benchmark: weft against piscina, tinypool, workerpool and poolifier.
 *
 *   npx tsx bench/executor/run.ts [--repeat N] [--quick] [--json out.json]
 *                                 [--weft src|dist] [--pools weft,piscina] [--backends thread,process]
 *                                 [--settle S] [--cases tiny,factorial,latency,copy,transfer]
 *
 * Pool size = os.availableParallelism(). Cases: (1) 20,000 tiny tasks (`a + b`) submitted at once,
 * tasks/s; (2) 5,000 BigInt factorial(1000), tasks/s; (3) 2,000 sequential awaited tiny tasks,
 * round trip p50/p99 in µs; (4) 200 tasks each given an 8 MB Float64Array, copied and (threads)
 * transferred, tasks/s. Every (pool, backend) runs in its own process (runner.mjs), once per
 * repeat, repeats interleaved across pools; in that process each case runs once untimed before the
 * timed run (steady state, not the JIT's warm-up), and the latency case times 2,000 calls after
 * 10,000 untimed ones; the tables show medians and the ratios weft / best peer
 * against the targets of issue 2. `--quick` is one repeat. `--weft dist` measures the compiled
 * package (run `npm run build` first); the default measures src/ through tsx. Before each run
 * the script waits up to `--settle` seconds (default 5) for other processes' CPU load to drop
 * below 25%, and reports the load it saw: on a shared 2-core machine that load is the main noise.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Backend = 'thread' | 'process';
type Figure = 'tiny' | 'factorial' | 'p50' | 'p99' | 'copy' | 'transfer';
type CaseName = 'tiny' | 'factorial' | 'latency' | 'copy' | 'transfer';

interface RunnerResult {
  pool: string;
  backend: Backend;
  ok: boolean;
  notes: string[];
  figures: Partial<Record<Figure, number>>;
  extra: Record<string, number>;
  errors: Record<string, string>;
  /** Share of the machine's CPU busy (others' load: nothing of ours runs then) just before this run. */
  busyBefore?: number;
}

interface Spec {
  pool: string;
  backend: Backend;
}

const FIGURES: { key: Figure; label: string; lowerIsBetter: boolean; digits: number }[] = [
  { key: 'tiny', label: 'tiny tasks/s', lowerIsBetter: false, digits: 0 },
  { key: 'factorial', label: 'factorial(1000)/s', lowerIsBetter: false, digits: 0 },
  { key: 'p50', label: 'p50 µs', lowerIsBetter: true, digits: 1 },
  { key: 'p99', label: 'p99 µs', lowerIsBetter: true, digits: 1 },
  { key: 'copy', label: '8 MB copied/s', lowerIsBetter: false, digits: 1 },
  { key: 'transfer', label: '8 MB transferred/s', lowerIsBetter: false, digits: 1 },
];

/** Issue 2's targets: weft / best peer (best peer / weft for latencies). */
const TARGETS: Record<Backend, Record<Figure, number>> = {
  thread: { tiny: 3, factorial: 1, p50: 1, p99: 1, copy: 1, transfer: 1 },
  process: { tiny: 1.5, factorial: 1, p50: 1, p99: 1, copy: 1, transfer: 1 },
};

const POOLS: Record<Backend, string[]> = {
  thread: ['weft', 'piscina', 'tinypool', 'workerpool', 'poolifier'],
  process: ['weft', 'tinypool', 'workerpool', 'poolifier'],
};

const SIZES = { tiny: 20_000, factorial: 5_000, latency: 2_000, latencyWarmUp: 10_000, bigArg: 200, arrayLength: 1 << 20 };
const CASE_TIMEOUT_MS = 60_000;
/** A runner gets this long in all before its process group is killed. */
const RUNNER_TIMEOUT_MS = 180_000;

// ---- arguments --------------------------------------------------------------------------------

function parseArgs(argv: string[]) {
  const opts = {
    repeat: 3,
    quick: false,
    json: undefined as string | undefined,
    weft: 'src' as 'src' | 'dist',
    pools: undefined as string[] | undefined,
    backends: ['thread', 'process'] as Backend[],
    settle: 5,
    cases: undefined as CaseName[] | undefined,
  };
  let repeatGiven = false;
  let settleGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--repeat': {
        opts.repeat = Number(value());
        if (!Number.isInteger(opts.repeat) || opts.repeat < 1) fail('--repeat expects an integer >= 1');
        repeatGiven = true;
        break;
      }
      case '--quick':
        opts.quick = true;
        break;
      case '--json':
        opts.json = value();
        break;
      case '--weft': {
        const v = value();
        if (v !== 'src' && v !== 'dist') fail("--weft expects 'src' or 'dist'");
        opts.weft = v;
        break;
      }
      case '--settle': {
        opts.settle = Number(value());
        if (!(opts.settle >= 0)) fail('--settle expects a number of seconds >= 0');
        settleGiven = true;
        break;
      }
      case '--pools':
        opts.pools = value().split(',');
        break;
      case '--backends': {
        const list = value().split(',');
        if (!list.every((b) => b === 'thread' || b === 'process')) fail("--backends expects 'thread', 'process' or both");
        opts.backends = list as Backend[];
        break;
      }
      case '--cases': {
        const list = value().split(',');
        const known: CaseName[] = ['tiny', 'factorial', 'latency', 'copy', 'transfer'];
        const unknown = list.filter((c) => !known.includes(c as CaseName));
        if (unknown.length > 0) fail(`--cases: unknown case ${unknown.join(', ')} (cases: ${known.join(', ')})`);
        opts.cases = list as CaseName[];
        break;
      }
      case '--help':
      case '-h':
        console.log('usage: npx tsx bench/executor/run.ts [--repeat N] [--quick] [--json out.json] [--weft src|dist] [--pools a,b] [--backends thread,process] [--settle S] [--cases a,b]');
        process.exit(0);
        break;
      default:
        fail(`unknown argument ${argv[i]}`);
    }
  }
  if (opts.quick && !repeatGiven) opts.repeat = 1;
  if (opts.quick && !settleGiven) opts.settle = 2;
  return opts;
}

function fail(message: string): never {
  console.error(`run.ts: ${message}`);
  process.exit(2);
}

// ---- running one (pool, backend) ----------------------------------------------------------------

const RUNNER = fileURLToPath(new URL('./runner.mjs', import.meta.url));
const ROOT = new URL('../../', import.meta.url);

function weftEntry(which: 'src' | 'dist'): string {
  const url = new URL(which === 'src' ? 'src/index.ts' : 'dist/index.js', ROOT);
  if (!existsSync(url)) fail(`${fileURLToPath(url)} does not exist${which === 'dist' ? ' (run `npm run build`)' : ''}`);
  return url.href;
}

/** The cases `--cases` asked for (default all) that `backend` has: processes have no transfer. */
let selectedCases: CaseName[] | undefined;

function casesFor(backend: Backend): CaseName[] {
  const all: CaseName[] = backend === 'thread' ? ['tiny', 'factorial', 'latency', 'copy', 'transfer'] : ['tiny', 'factorial', 'latency', 'copy'];
  return selectedCases ? all.filter((c) => selectedCases!.includes(c)) : all;
}

/** Runs runner.mjs for one spec in a fresh process (its own process group, killed afterwards). */
function runOnce(spec: Spec, weft: 'src' | 'dist', workers: number): Promise<RunnerResult> {
  const config = {
    pool: spec.pool,
    backend: spec.backend,
    workers,
    cases: casesFor(spec.backend),
    sizes: SIZES,
    caseTimeoutMs: CASE_TIMEOUT_MS,
    weftEntry: weftEntry(weft),
  };
  // weft from src needs tsx in the runner (its workers inherit it); peers and dist run on plain node.
  const nodeArgs = spec.pool === 'weft' && weft === 'src' ? ['--import', import.meta.resolve('tsx')] : [];
  const child = spawn(process.execPath, [...nodeArgs, RUNNER, JSON.stringify(config)], {
    cwd: fileURLToPath(ROOT),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const failed = (why: string): RunnerResult => ({
    pool: spec.pool,
    backend: spec.backend,
    ok: false,
    notes: [],
    figures: {},
    extra: {},
    errors: { runner: why },
  });
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, RUNNER_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(child.pid); // workers a hung pool left behind
      const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (line) {
        const result = JSON.parse(line.slice('@@RESULT '.length)) as RunnerResult;
        if (stderr.trim()) result.notes.push(`stderr: ${lastLines(stderr, 3)}`);
        resolve(result);
      } else if (timedOut) {
        resolve(failed(`no result within ${RUNNER_TIMEOUT_MS / 1000} s; process group killed. stderr: ${lastLines(stderr, 5)}`));
      } else {
        resolve(failed(`runner exited (code ${code}, signal ${signal}) without a result. stderr: ${lastLines(stderr, 5)}`));
      }
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/** CPU share busy over `ms`, from /proc/stat (Linux); undefined elsewhere. */
async function machineBusy(ms = 300): Promise<number | undefined> {
  const read = (): number[] | undefined => {
    try {
      const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      return fields;
    } catch {
      return undefined;
    }
  };
  const a = read();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = read();
  if (!a || !b) return undefined;
  const total = b.reduce((x, y) => x + y, 0) - a.reduce((x, y) => x + y, 0);
  const idle = b[3] + (b[4] ?? 0) - (a[3] + (a[4] ?? 0));
  return total > 0 ? 1 - idle / total : undefined;
}

/** Which weft is measured: the commit, and whether src/ has uncommitted changes. */
function gitState(): string {
  try {
    const cwd = fileURLToPath(ROOT);
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes in ${dirty.split('\n').length} src/ file(s)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

// ---- statistics and printing -------------------------------------------------------------------

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Summary {
  spec: Spec;
  runs: RunnerResult[];
  medians: Partial<Record<Figure, number>>;
  counts: Partial<Record<Figure, number>>;
  spread: Partial<Record<Figure, [number, number]>>;
  errors: string[];
  notes: string[];
}

function summarise(spec: Spec, runs: RunnerResult[]): Summary {
  const medians: Summary['medians'] = {};
  const counts: Summary['counts'] = {};
  const spread: Summary['spread'] = {};
  for (const { key } of FIGURES) {
    const values = runs.map((r) => r.figures[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) continue;
    medians[key] = median(values);
    counts[key] = values.length;
    spread[key] = [Math.min(...values), Math.max(...values)];
  }
  const errors = new Set<string>();
  for (const [i, r] of runs.entries()) {
    for (const [where, message] of Object.entries(r.errors)) errors.add(`repeat ${i + 1}, ${where}: ${message.split('\n')[0]}`);
  }
  const notes = new Set<string>();
  for (const r of runs) for (const n of r.notes) notes.add(n);
  return { spec, runs, medians, counts, spread, errors: [...errors], notes: [...notes] };
}

function fmt(value: number | undefined, digits: number): string {
  if (value === undefined) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

interface Verdict {
  figure: Figure;
  weft: number | undefined;
  bestPeer: string | undefined;
  best: number | undefined;
  ratio: number | undefined;
  target: number;
  met: boolean | undefined;
}

/** The case that measures `figure`. */
function caseOf(figure: Figure): CaseName {
  return figure === 'p50' || figure === 'p99' ? 'latency' : figure;
}

function verdicts(backend: Backend, summaries: Summary[]): Verdict[] {
  const weft = summaries.find((s) => s.spec.pool === 'weft');
  const peers = summaries.filter((s) => s.spec.pool !== 'weft');
  const out: Verdict[] = [];
  const run = casesFor(backend);
  for (const { key, lowerIsBetter } of FIGURES) {
    if (!run.includes(caseOf(key))) continue;
    let bestPeer: string | undefined;
    let best: number | undefined;
    for (const p of peers) {
      const v = p.medians[key];
      if (v === undefined) continue;
      if (best === undefined || (lowerIsBetter ? v < best : v > best)) {
        best = v;
        bestPeer = p.spec.pool;
      }
    }
    const w = weft?.medians[key];
    const ratio = w === undefined || best === undefined ? undefined : lowerIsBetter ? best / w : w / best;
    const target = TARGETS[backend][key];
    out.push({ figure: key, weft: w, bestPeer, best, ratio, target, met: ratio === undefined ? undefined : ratio >= target });
  }
  return out;
}

function printBackend(backend: Backend, summaries: Summary[], repeat: number): Verdict[] {
  const run = casesFor(backend);
  const figures = FIGURES.filter((f) => run.includes(caseOf(f.key)));
  const title = backend === 'thread' ? 'Thread backends (worker_threads)' : 'Process backends (child processes, V8 serialization)';
  console.log(`\n## ${title}: medians of ${repeat} run${repeat > 1 ? 's' : ''}\n`);
  const rows = summaries.map((s) => [
    s.spec.pool,
    ...figures.map((f) => {
      const v = fmt(s.medians[f.key], f.digits);
      const n = s.counts[f.key] ?? 0;
      return s.medians[f.key] !== undefined && n < s.runs.length ? `${v} (${n}/${s.runs.length})` : s.medians[f.key] === undefined ? 'FAILED' : v;
    }),
  ]);
  console.log(table(['pool', ...figures.map((f) => f.label)], rows));

  const vs = verdicts(backend, summaries);
  console.log(`\nweft / best peer (latencies: best peer / weft, so > 1 means weft is faster):\n`);
  const vrows = vs.map((v) => {
    const f = FIGURES.find((x) => x.key === v.figure)!;
    return [
      f.label,
      fmt(v.weft, f.digits),
      v.bestPeer ? `${fmt(v.best, f.digits)} (${v.bestPeer})` : '—',
      v.ratio === undefined ? '—' : `${v.ratio.toFixed(2)}x`,
      `>= ${v.target.toFixed(1)}x`,
      v.met === undefined ? 'n/a' : v.met ? 'met' : 'MISSED',
    ];
  });
  console.log(table(['figure', 'weft', 'best peer', 'ratio', 'target', 'verdict'], vrows));

  const notes: string[] = [];
  for (const s of summaries) {
    for (const n of s.notes) notes.push(`${s.spec.pool}: ${n}`);
    for (const e of s.errors) notes.push(`${s.spec.pool}: ${e}`);
  }
  if (notes.length) console.log('\n' + notes.map((n) => `- ${n}`).join('\n'));
  return vs;
}

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  selectedCases = opts.cases;
  const workers = availableParallelism();
  const specs: Spec[] = [];
  for (const backend of opts.backends) {
    for (const pool of POOLS[backend]) if (!opts.pools || opts.pools.includes(pool)) specs.push({ pool, backend });
  }
  if (specs.length === 0) fail('no (pool, backend) left after --pools/--backends');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const machine = {
    cpu,
    cores: cpus().length,
    availableParallelism: workers,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log('# weft executor benchmark');
  console.log(`machine: ${cpu}, ${machine.cores} cores (availableParallelism ${workers}), ${machine.memoryGiB} GiB, Node ${process.version}, ${machine.platform}`);
  const weftState = gitState();
  console.log(`pool size ${workers}; weft from ${opts.weft === 'src' ? 'src/ (tsx)' : 'dist/'} at ${weftState}; ${opts.repeat} repeat(s), medians; each (pool, backend) in its own process`);
  console.log(
    `cases: ${SIZES.tiny.toLocaleString('en-US')} tiny (a+b) at once; ${SIZES.factorial.toLocaleString('en-US')} BigInt factorial(1000) at once; ` +
      `${SIZES.latency.toLocaleString('en-US')} sequential tiny (round trip, after ${SIZES.latencyWarmUp.toLocaleString('en-US')} untimed); ${SIZES.bigArg} × ${(SIZES.arrayLength * 8) / 2 ** 20} MiB Float64Array sums at once`,
  );

  const results = new Map<string, RunnerResult[]>(specs.map((s) => [`${s.pool}/${s.backend}`, []]));
  const started = Date.now();
  for (let r = 0; r < opts.repeat; r++) {
    for (const spec of specs) {
      let busyBefore = await machineBusy();
      for (const until = Date.now() + opts.settle * 1000; busyBefore !== undefined && busyBefore > 0.25 && Date.now() < until; ) {
        busyBefore = await machineBusy();
      }
      const t = Date.now();
      process.stderr.write(`[${((t - started) / 1000).toFixed(0).padStart(4)} s] repeat ${r + 1}/${opts.repeat} ${spec.pool} (${spec.backend}) ... `);
      const result = await runOnce(spec, opts.weft, workers);
      result.busyBefore = busyBefore;
      results.get(`${spec.pool}/${spec.backend}`)!.push(result);
      const status = result.ok ? 'ok' : `FAILED: ${Object.entries(result.errors).map(([k, v]) => `${k}: ${v.split('\n')[0]}`).join('; ')}`;
      process.stderr.write(`${status} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
    }
  }

  const busy = [...results.values()].flat().map((r) => r.busyBefore).filter((b): b is number => b !== undefined);
  const report: Record<string, unknown> = { machine, weft: opts.weft, weftState, repeat: opts.repeat, sizes: SIZES, targets: TARGETS, backends: {} };
  for (const backend of opts.backends) {
    const summaries = specs.filter((s) => s.backend === backend).map((s) => summarise(s, results.get(`${s.pool}/${s.backend}`)!));
    if (summaries.length === 0) continue;
    const vs = printBackend(backend, summaries, opts.repeat);
    (report.backends as Record<string, unknown>)[backend] = {
      pools: summaries.map((s) => ({ pool: s.spec.pool, medians: s.medians, spread: s.spread, errors: s.errors, notes: s.notes, runs: s.runs })),
      verdicts: vs,
    };
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s. Noisy machine: compare figures within one run only.`);
  if (busy.length) {
    const share = (b: number) => `${(b * 100).toFixed(0)}%`;
    const worst = Math.max(...busy);
    console.log(
      `CPU busy from other processes just before each run: median ${share(median(busy)!)}, max ${share(worst)}` +
        (worst > 0.1 ? ' (other load was present: treat close ratios as ties)' : ''),
    );
    report.busyBefore = busy;
  }
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
    console.log(`JSON written to ${opts.json}`);
  }
}

// Run only when executed, not when imported (e.g. by a type check).
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
