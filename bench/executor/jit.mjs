/**
 * Why a fresh pool's latency tail is what it is: how much optimising V8 does during the timed calls.
 * For each pool, in fresh processes: the service loop of service.mjs (first call, 200 warm-up calls,
 * 2,000 timed sequential tiny calls), run under `node --trace-opt`; counts the TurboFan compile jobs
 * that finished inside the timed window (parent, worker threads and child processes alike) and their
 * compile time, beside the p50/p99 of that same run. `--no-opt` runs the same loop with TurboFan off,
 * to show what the tail is without it.
 *
 *   node bench/executor/jit.mjs [--pools weft,workerpool] [--backend thread|process] [--repeat N] [--no-opt] [--weft src|dist]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
const pools = flag('--pools', 'weft,piscina,tinypool,workerpool,poolifier').split(',');
const backend = flag('--backend', 'thread');
const repeat = Number(flag('--repeat', '3'));
const noOpt = args.includes('--no-opt');
const weft = flag('--weft', 'dist');
const weftEntry = new URL(weft === 'src' ? '../../src/index.ts' : '../../dist/index.js', import.meta.url).href;
const child = fileURLToPath(new URL('./jit-child.mjs', import.meta.url));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

const rows = [];
for (let r = 0; r < repeat; r++) {
  for (const pool of pools) {
    if (pool === 'piscina' && backend === 'process') continue;
    const nodeArgs = [...(weft === 'src' ? ['--import', 'tsx'] : []), ...(noOpt ? ['--no-opt'] : ['--trace-opt']), child, JSON.stringify({ pool, backend, weftEntry })];
    const run = spawnSync(process.execPath, nodeArgs, { encoding: 'utf8', maxBuffer: 256 * 2 ** 20, timeout: 120_000 });
    const out = run.stdout ?? '';
    const start = out.indexOf('@@WINDOW START');
    const end = out.indexOf('@@WINDOW END');
    const result = /@@RESULT (.*)/.exec(out);
    if (start < 0 || end < 0 || !result) {
      console.error(`${pool}: no result (${(run.stderr ?? '').split('\n').slice(-3).join(' ')})`);
      continue;
    }
    let jobs = 0;
    let ms = 0;
    for (const m of out.slice(start, end).matchAll(/completed compiling .*? - took ([\d.]+), ([\d.]+), ([\d.]+) ms/g)) {
      jobs++;
      ms += Number(m[1]) + Number(m[2]) + Number(m[3]);
    }
    rows.push({ pool, jobs, ms, ...JSON.parse(result[1]) });
    process.stderr.write(`repeat ${r + 1}/${repeat} ${pool}: ${noOpt ? 'TurboFan off' : `${jobs} jobs, ${ms.toFixed(0)} ms`}, p99 ${rows.at(-1).p99.toFixed(0)} µs\n`);
  }
}

console.log(`\n${backend === 'thread' ? 'threads' : 'processes'}, fresh pool, 2,000 sequential tiny calls after 200, Node ${process.version}${noOpt ? ', --no-opt (TurboFan off)' : ''}: medians (range) of ${repeat} runs\n`);
const head = noOpt ? ['pool', 'p50 µs', 'p99 µs'] : ['pool', 'TurboFan jobs in the timed window', 'their compile ms', 'p50 µs', 'p99 µs'];
console.log(`| ${head.join(' | ')} |\n|${head.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`);
for (const pool of pools) {
  const mine = rows.filter((row) => row.pool === pool);
  if (mine.length === 0) continue;
  const cell = (key, digits = 0) => {
    const xs = mine.map((row) => row[key]);
    return `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
  };
  const cells = noOpt ? [cell('p50', 1), cell('p99', 1)] : [cell('jobs'), cell('ms'), cell('p50', 1), cell('p99', 1)];
  console.log(`| ${pool} | ${cells.join(' | ')} |`);
}
