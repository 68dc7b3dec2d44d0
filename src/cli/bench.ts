/**
 * `weft bench`: the talk's study on this machine. With no arguments it runs every case at the
 * quick size and writes its results to a new folder, named in the last lines it prints.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { DEFAULT_PYTHON, detectPython, type PythonInfo } from '../bench/python/detect.js';
import { defaultWorkers, parsePositive, parseVariants, parseWorkers, selectCases } from '../bench/options.js';
import { progressView } from '../bench/progress.js';
import { writeResults } from '../bench/report/write.js';
import { terminalReport } from '../bench/report/terminal.js';
import { runStudy } from '../bench/runner.js';
import type { SizeName } from '../bench/types.js';
import { CASES } from '../bench/cases/index.js';
import { VARIANT_NAMES } from '../bench/variants.js';

interface BenchFlags {
  workers?: string;
  variants?: string;
  repeat?: string;
  full?: boolean;
  size?: string;
  json?: string;
  csv?: string;
  report?: string;
  out?: string;
  python: string | false;
  probe: boolean;
  progress: boolean;
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, '').replace(/[:T]/g, '-');
}

/** Registers `bench` on the `weft` program. */
export function register(program: Command): void {
  program
    .command('bench')
    .description("Run the free-threading talk's study on this machine: each case on one loop, the event loop, threads, processes and shared memory (and CPython peers), verified, with a table, JSON/CSV, an HTML report and SVG charts")
    .argument('[case...]', `cases to run: ${CASES.map((c) => c.name).join(', ')} (default: all)`)
    .option('-w, --workers <list>', 'worker counts, e.g. 1,2,4 (default: powers of two up to the CPU count, and the count itself)')
    .option('--variants <list>', `only these variants (sequential is always run): ${VARIANT_NAMES.join(', ')}, or python for every peer`)
    .option('-r, --repeat <n>', 'timed repeats per series and worker count (default 3)')
    .option('--full', "the talk's sizes (primes below 10M, an 800 MB array): minutes, not seconds")
    .option('--size <size>', 'tiny | quick | full (default quick; --full is --size full)')
    .option('--json <file>', 'write the JSON here (default <out>/results.json)')
    .option('--csv <file>', 'write the CSV here (default <out>/results.csv)')
    .option('--report <file>', 'write the HTML report here (default <out>/report.html)')
    .option('--out <dir>', 'results folder (default results/bench-<date-time>)')
    .option('--python <path>', 'CPython for the peers', DEFAULT_PYTHON)
    .option('--no-python', 'skip the Python peers')
    .option('--no-probe', 'skip the memory bandwidth probe')
    .option('--no-progress', 'no live progress bar')
    .action(async (caseNames: string[], flags: BenchFlags) => {
      const size: SizeName = flags.full ? 'full' : ((flags.size ?? 'quick') as SizeName);
      if (!['tiny', 'quick', 'full'].includes(size)) throw new Error(`--size expects tiny, quick or full, got '${flags.size}'`);
      const cases = selectCases(caseNames);
      const workers = flags.workers ? parseWorkers(flags.workers) : defaultWorkers();
      const variants = flags.variants ? parseVariants(flags.variants) : undefined;
      const repeat = flags.repeat ? parsePositive('--repeat', flags.repeat) : 3;
      const python: PythonInfo = flags.python === false ? { available: false, path: '', reason: 'turned off with --no-python' } : detectPython(flags.python);
      const out = flags.out ?? join('results', `bench-${timestamp()}`);

      const view = progressView(process.stderr, flags.progress && process.stderr.isTTY === true);
      let result;
      try {
        result = await runStudy({ cases, size, workers, variants, repeat, python, probe: flags.probe, onEvent: view.onEvent });
      } finally {
        view.stop();
      }
      process.stdout.write(`${terminalReport(result)}\n\n`);
      const files = await writeResults(result, { out, json: flags.json, csv: flags.csv, report: flags.report });
      const failures = result.cases.flatMap((c) => c.series.filter((s) => !s.ok).map((s) => `${c.name} · ${s.label} · W=${s.workers}`));
      if (failures.length > 0) {
        process.stdout.write(`FAILED checks or errors in: ${failures.join('; ')}\n`);
        process.exitCode = 1;
      }
      process.stdout.write(
        [
          `Wrote ${files.json}`,
          `      ${files.csv}`,
          `      ${files.report}  (open it in a browser: charts and findings)`,
          `      ${files.svgs.length} SVG charts in ${join(files.out, 'charts')}`,
          `Results folder: ${files.out}`,
          '',
        ].join('\n'),
      );
    });
}
