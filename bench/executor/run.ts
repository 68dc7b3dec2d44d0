/**
 * Executor benchmark: weft against piscina, tinypool, workerpool and poolifier.
 *
 *   npx tsx bench/executor/run.ts [--repeat N] [--quick] [--json out.json] [--suite steady,service]
 *                                 [--weft src|dist] [--pools weft,piscina] [--backends thread,process]
 *                                 [--settle S] [--cases tiny,factorial,latency,copy,transfer]
 *                                 [--conditions idle,hog,oversubscribed,mixed]
 *
 * Two suites, both by default:
 * - `steady` (steady-suite.ts, runner.mjs): pool size = os.availableParallelism(). (1) 20,000 tiny
 *   tasks (`a + b`) submitted at once, tasks/s; (2) 5,000 BigInt factorial(1000), tasks/s; (3) 2,000
 *   sequential awaited tiny tasks, p50/p99 in µs after 10,000 untimed calls; (4) 200 tasks each
 *   given an 8 MB Float64Array, copied and (threads) transferred, tasks/s. Each case runs once
 *   untimed before the timed run.
 * - `service` (service-suite.ts, service.mjs): a fresh pool with the library's defaults: time to
 *   the first result, p50/p99 of 2,000 sequential tiny calls after only 200 warm-up calls, idle
 *   CPU, close() to process exit; on an idle machine, beside a CPU hog, oversubscribed (2x cores)
 *   and under a mixed load.
 * Every measurement runs in its own process, repeats interleaved across pools. `--quick` is one
 * repeat. `--weft dist` measures the compiled package (run `npm run build` first); the default
 * measures src/ through tsx. Before each run the script waits up to `--settle` seconds (default 5)
 * for other processes' CPU load to drop below 25%, and reports the load it saw.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { fail, gitState, median, POOLS, settle, type Backend } from './common.js';
import { CONDITIONS, printService, runService, SERVICE_SIZES, summariseService, type Condition, type ServiceResult } from './service-suite.js';
import { CASES, casesFor, printSteady, runSteady, SIZES, summariseSteady, TARGETS, type CaseName, type RunnerResult } from './steady-suite.js';

type Suite = 'steady' | 'service';

function list<T extends string>(flag: string, value: string, known: readonly T[]): T[] {
  const items = value.split(',');
  const unknown = items.filter((c) => !known.includes(c as T));
  if (unknown.length > 0) fail(`${flag}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return items as T[];
}

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
    suites: ['steady', 'service'] as Suite[],
    conditions: CONDITIONS,
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
      case '--repeat':
        opts.repeat = Number(value());
        if (!Number.isInteger(opts.repeat) || opts.repeat < 1) fail('--repeat expects an integer >= 1');
        repeatGiven = true;
        break;
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
      case '--settle':
        opts.settle = Number(value());
        if (!(opts.settle >= 0)) fail('--settle expects a number of seconds >= 0');
        settleGiven = true;
        break;
      case '--pools':
        opts.pools = value().split(',');
        break;
      case '--backends':
        opts.backends = list(flag, value(), ['thread', 'process'] as const);
        break;
      case '--cases':
        opts.cases = list(flag, value(), CASES);
        break;
      case '--suite':
        opts.suites = list(flag, value(), ['steady', 'service'] as const);
        break;
      case '--conditions':
        opts.conditions = list(flag, value(), CONDITIONS);
        break;
      case '--help':
      case '-h':
        console.log(
          'usage: npx tsx bench/executor/run.ts [--repeat N] [--quick] [--json out.json] [--suite steady,service] [--weft src|dist] ' +
            '[--pools a,b] [--backends thread,process] [--settle S] [--cases a,b] [--conditions idle,hog,oversubscribed,mixed]',
        );
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

/** One measurement to make in each repeat. */
interface Job {
  key: string;
  run: () => Promise<RunnerResult | ServiceResult>;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const workers = availableParallelism();
  const specs: { pool: string; backend: Backend }[] = [];
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
  const weftState = gitState();
  console.log('# weft executor benchmark');
  console.log(`machine: ${cpu}, ${machine.cores} cores (availableParallelism ${workers}), ${machine.memoryGiB} GiB, Node ${process.version}, ${machine.platform}`);
  console.log(`weft from ${opts.weft === 'src' ? 'src/ (tsx)' : 'dist/'} at ${weftState}; ${opts.repeat} repeat(s); every measurement in its own process`);
  if (opts.suites.includes('steady')) {
    console.log(
      `steady: pool size ${workers}; ${SIZES.tiny.toLocaleString('en-US')} tiny (a+b) at once; ${SIZES.factorial.toLocaleString('en-US')} BigInt factorial(1000) at once; ` +
        `${SIZES.latency.toLocaleString('en-US')} sequential tiny (after ${SIZES.latencyWarmUp.toLocaleString('en-US')} untimed); ${SIZES.bigArg} × ${(SIZES.arrayLength * 8) / 2 ** 20} MiB Float64Array sums at once`,
    );
  }
  if (opts.suites.includes('service')) {
    console.log(
      `service: fresh pool with the library's defaults, ${SERVICE_SIZES.latency.toLocaleString('en-US')} sequential tiny after ${SERVICE_SIZES.serviceWarmUp}; ` +
        `conditions ${opts.conditions.join(', ')}; idle CPU over ${SERVICE_SIZES.idleMeasureMs / 1000} s after ${SERVICE_SIZES.idleSettleMs / 1000} s`,
    );
  }

  const jobs: Job[] = [];
  for (const { pool, backend } of specs) {
    if (opts.suites.includes('steady')) {
      const cases = casesFor(backend, opts.cases);
      if (cases.length > 0) jobs.push({ key: `steady/${backend}/${pool}`, run: () => runSteady(pool, backend, opts.weft, workers, cases) });
    }
    if (opts.suites.includes('service')) {
      for (const condition of opts.conditions) {
        jobs.push({ key: `service/${backend}/${condition}/${pool}`, run: () => runService(pool, backend, condition, opts.weft, workers) });
      }
    }
  }
  const results = new Map<string, (RunnerResult | ServiceResult)[]>(jobs.map((j) => [j.key, []]));
  const busy: number[] = [];
  const started = Date.now();
  for (let r = 0; r < opts.repeat; r++) {
    for (const job of jobs) {
      const busyBefore = await settle(opts.settle);
      if (busyBefore !== undefined) busy.push(busyBefore);
      const t = Date.now();
      process.stderr.write(`[${((t - started) / 1000).toFixed(0).padStart(4)} s] repeat ${r + 1}/${opts.repeat} ${job.key} ... `);
      const result = await job.run();
      results.get(job.key)!.push(result);
      const status = result.ok ? 'ok' : `FAILED: ${Object.entries(result.errors).map(([k, v]) => `${k}: ${v.split('\n')[0]}`).join('; ')}`;
      process.stderr.write(`${status} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
    }
  }

  const report: Record<string, unknown> = { machine, weft: opts.weft, weftState, repeat: opts.repeat, sizes: { ...SIZES, ...SERVICE_SIZES }, targets: TARGETS, steady: {}, service: {} };
  const poolsOf = (backend: Backend) => specs.filter((s) => s.backend === backend).map((s) => s.pool);
  for (const backend of opts.backends) {
    if (!opts.suites.includes('steady')) break;
    const cases = casesFor(backend, opts.cases);
    const summaries = poolsOf(backend).map((pool) => summariseSteady(pool, (results.get(`steady/${backend}/${pool}`) ?? []) as RunnerResult[]));
    if (summaries.length === 0 || cases.length === 0) continue;
    const verdicts = printSteady(backend, cases, summaries, opts.repeat);
    (report.steady as Record<string, unknown>)[backend] = { pools: summaries, verdicts };
  }
  for (const backend of opts.backends) {
    if (!opts.suites.includes('service')) break;
    const byCondition: Record<string, unknown> = {};
    for (const condition of opts.conditions as Condition[]) {
      const summaries = poolsOf(backend).map((pool) => summariseService(pool, (results.get(`service/${backend}/${condition}/${pool}`) ?? []) as ServiceResult[]));
      if (summaries.length === 0) continue;
      byCondition[condition] = { pools: summaries, verdicts: printService(backend, condition, summaries, opts.repeat) };
    }
    (report.service as Record<string, unknown>)[backend] = byCondition;
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
