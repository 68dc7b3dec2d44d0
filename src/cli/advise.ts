/**
 * `weft advise`: the talk's decision chart for Node. Answered from flags describing the workload,
 * or by timing a task of your module inline, on threads and on processes (the auto backend's
 * measurement), it prints a recommendation with the numbers behind it.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { adviceText } from '../playbook/advice-text.js';
import { advise, type Workload } from '../playbook/advisor.js';
import { measureTask } from '../playbook/measure-task.js';

interface AdviseFlags {
  ioBound?: boolean;
  cpuBound?: boolean;
  sharedData?: number;
  machines?: number;
  isolation?: boolean;
  module?: string;
  task?: string;
  args?: unknown[];
  workers?: number;
  rounds?: number;
  json?: boolean;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got '${value}'`);
  return n;
}

function megabytes(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a size in MB (a number, 0 or more), got '${value}'`);
  return n;
}

function jsonArray(value: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`expected a JSON array of arguments such as '[0, 2000000]', got '${value}' (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new InvalidArgumentError(`expected a JSON array of arguments such as '[0, 2000000]', got ${typeof parsed === 'object' ? 'an object' : `a ${typeof parsed}`}`);
  return parsed;
}

/** Where `advise` prints its answer: stdout, or a test's buffer. */
export interface Output {
  write(text: string): unknown;
}

/** Registers `advise` on the `weft` program. */
export function register(program: Command, out: Output = process.stdout): void {
  program
    .command('advise')
    .description("The talk's decision chart for Node: event loop, threads, processes or a distributed engine, from flags about the workload or by timing a task of your module")
    .option('--io-bound', 'the work mostly waits on I/O (network, disk)')
    .option('--cpu-bound', 'the work mostly computes')
    .option('--shared-data <MB>', 'megabytes of data every task reads (a model, a big array)', megabytes)
    .option('--machines <n>', 'machines the work must run on', positiveInteger)
    .option('--isolation', 'a crashing task (exit, segfault, out of memory) must not take down the caller')
    .option('--module <path>', 'a task module to time (its exported functions are tasks)')
    .option('--task <name>', 'the task of --module to time')
    .option('--args <json>', 'its arguments, as a JSON array (default [])', jsonArray)
    .option('-w, --workers <n>', 'workers of the thread and process pools when timing (default: the CPU count)', positiveInteger)
    .option('--rounds <n>', 'timed calls per backend (default 3)', positiveInteger)
    .option('--json', 'print the advice as JSON')
    .addHelpText(
      'after',
      "\nExamples:\n  weft advise --cpu-bound --shared-data 800\n  weft advise --io-bound\n  weft advise --module ./tasks.ts --task countPrimes --args '[0, 2000000]'    (the README quick start's tasks.ts)",
    )
    .action(async (flags: AdviseFlags) => {
      const timing = flags.module !== undefined || flags.task !== undefined;
      if (flags.task !== undefined && flags.module === undefined) throw new Error('--task needs --module: the file that exports it');
      if (flags.module !== undefined && flags.task === undefined) throw new Error('--module needs --task: the name of the exported function to time');
      if (!timing && (flags.args !== undefined || flags.rounds !== undefined || flags.workers !== undefined)) {
        throw new Error('--args, --rounds and --workers only apply when timing a task: add --module <path> --task <name>');
      }
      const workload: Workload = {
        ioBound: flags.ioBound,
        cpuBound: flags.cpuBound,
        sharedDataMb: flags.sharedData,
        machines: flags.machines,
        isolation: flags.isolation,
      };
      const described = Object.values(workload).some((v) => v !== undefined);
      if (!timing && !described) {
        throw new Error("say something about the workload (--io-bound, --cpu-bound, --shared-data <MB>, --machines <n>, --isolation) or time a task (--module <path> --task <name> [--args '[...]'])");
      }
      const chart = described ? advise(workload) : undefined;
      const measured = timing
        ? await measureTask({
            module: pathToFileURL(resolve(flags.module!)),
            task: flags.task!,
            args: flags.args ?? [],
            workers: flags.workers,
            rounds: flags.rounds,
          })
        : undefined;
      if (flags.json) {
        const { text: _text, ...measurement } = measured ?? { text: '' };
        out.write(`${JSON.stringify({ chart, measured: measured ? measurement : undefined }, null, 2)}\n`);
        return;
      }
      const parts: string[] = [];
      if (measured) {
        parts.push(
          `Timed '${flags.task}' of ${flags.module} with arguments ${JSON.stringify(flags.args ?? [])} (it returned ${JSON.stringify(measured.result) ?? String(measured.result)}):`,
          '',
          measured.text,
          '',
          `Measured recommendation: ${measured.backend}: ${measured.advice}`,
        );
      }
      if (chart) parts.push(...(measured ? ['', 'From the flags:'] : []), adviceText(chart));
      out.write(`${parts.join('\n')}\n`);
    });
}
