/**
 * `weft profile [options] -- [node [node flags]] <script> [args...]`: runs a Node program with weft's telemetry and CPU profiles on
 * (through the preload in src/profile/preload.ts) and writes trace.json, summary.json, report.html and
 * one .cpuprofile per thread into --out.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { NODE_FLAG_WITH_VALUE } from '../pool/backends/exec-argv.js';
import type { ProfileReport } from '../profile/summary.js';
import { siblingModule } from '../pool/sibling-module.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** A sibling module of the profiler, as .ts under tsx (sources) or .js (compiled): only one exists. */
function profileModule(name: 'preload' | 'run-script'): URL {
  return siblingModule(`../profile/${name}`, import.meta.url);
}

/** The program `weft profile` runs: which Node, its flags, the script and the script's own arguments. */
export interface ProfiledCommand {
  node: string;
  nodeFlags: string[];
  script: string;
  args: string[];
}

const NODE_COMMAND = /^node(js)?(\.exe)?$/i;
/** Node flags that run code other than a script file. */
const NOT_A_SCRIPT = /^(-e|--eval|-p|--print|-i|--interactive|--test|--run)(=|$)/;
const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

/**
 * Reads `[node [node flags]] <script> [args]`, the form clinic and 0x take, or just `<script> [args]`. A bare
 * `node` is the Node running weft; a path to a Node binary is used as given.
 */
export function parseCommand(command: readonly string[]): ProfiledCommand {
  let node = process.execPath;
  const nodeFlags: string[] = [];
  let i = 0;
  if (command.length > 0 && NODE_COMMAND.test(basename(command[0]))) {
    if (command[0] !== basename(command[0])) node = resolve(command[0]);
    for (i = 1; i < command.length && command[i].startsWith('-'); i++) {
      const flag = command[i];
      if (flag === '--') {
        i++;
        break;
      }
      if (NOT_A_SCRIPT.test(flag)) throw new InvalidArgumentError(`weft profile runs a script file; node ${flag} is not supported.`);
      nodeFlags.push(flag);
      if (NODE_FLAG_WITH_VALUE.test(flag) && i + 1 < command.length) nodeFlags.push(command[++i]);
    }
  }
  const script = command[i];
  if (script === undefined) throw new InvalidArgumentError('no script to run: weft profile [options] -- [node [node flags]] <script> [args]');
  return { node, nodeFlags, script: resolve(script), args: command.slice(i + 1) };
}

/**
 * Node's arguments for the profiled program: its own flags, the preload, then the script. A TypeScript script
 * starts through run-script, which imports it with Node's type stripping or tsx from the user's project
 * (see src/pool/worker/typescript.ts); weft running from its sources needs tsx for its own preload.
 */
export function profiledNodeArgs(command: ProfiledCommand, preload = profileModule('preload')): string[] {
  const fromSources = preload.pathname.endsWith('.ts');
  const entry = TYPESCRIPT.test(command.script) ? [fileURLToPath(profileModule('run-script')), command.script] : [command.script];
  return [...command.nodeFlags, ...(fromSources ? ['--import', tsxUrl()] : []), '--import', preload.href, ...entry, ...command.args];
}

/** tsx as weft finds it: a bare `--import tsx` would resolve from the program's directory, which may not have it. */
function tsxUrl(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/** How the profiled program ended. */
export interface ProfiledExit {
  /** Its exit code; for a signal, 128 + the signal's number as shells report it. */
  code: number;
  signal: NodeJS.Signals | null;
}

/** Runs the program profiled; resolves with how it ended. */
export function runProfiled(command: ProfiledCommand, options: { out: string; cpu: boolean; interval: number }): Promise<ProfiledExit> {
  const child = spawn(command.node, profiledNodeArgs(command), {
    stdio: 'inherit',
    env: {
      ...process.env,
      WEFT_PROFILE_OUT: options.out,
      WEFT_PROFILE_CPU: options.cpu ? '1' : '0',
      WEFT_PROFILE_INTERVAL: String(options.interval),
      WEFT_PROFILE_TITLE: `weft profile: ${command.script}`,
      WEFT_PROFILE_OWNER: undefined,
    },
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code, signal) => done({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), signal }));
  });
}

/** Registers `weft profile` on `program`. */
export function register(program: Command): void {
  program
    .command('profile')
    .description('Run a Node program with telemetry, a Chrome trace and CPU profiles of every pool worker on; write an HTML report.')
    .argument('<command...>', 'the program, after --: [node [node flags]] <script> [args] (JavaScript or TypeScript)')
    .option('--out <dir>', 'directory for trace.json, summary.json, report.html and cpu/*.cpuprofile', 'weft-profile')
    .option('--no-cpu', 'telemetry and trace only, no CPU profiles')
    .option('--interval <us>', 'CPU sampling interval in microseconds', positiveInt, 500)
    .action(async (words: string[], opts: { out: string; cpu: boolean; interval: number }) => {
      const command = parseCommand(words);
      if (!existsSync(command.script)) throw new InvalidArgumentError(`no such script: ${command.script}`);
      const out = resolve(opts.out);
      const summaryFile = resolve(out, 'summary.json');
      // An earlier run's summary must not pass for this one's when this program writes none.
      rmSync(summaryFile, { force: true });
      const exit = await runProfiled(command, { out, cpu: opts.cpu, interval: opts.interval });
      process.exitCode = exit.code;
      const ended = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      if (!existsSync(summaryFile)) {
        process.stderr.write(`weft profile: ${exit.code === 0 ? '' : 'the run failed: '}the program ${ended} and wrote no profile\n`);
        process.exitCode = exit.code || 1;
        return;
      }
      const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as ProfileReport;
      const lines = [
        `weft profile: ${summary.tasks.count} tasks on ${summary.workers.length} workers in ${(summary.wallMs / 1000).toFixed(2)} s`,
        ...summary.workers.map((w) => `  ${w.name.padEnd(24)} ${String(w.tasks).padStart(7)} tasks  ${(100 * w.utilisation).toFixed(0).padStart(3)}% busy`),
        ...(summary.cpu.overall ? [`  hottest overall: ${summary.cpu.overall.hottest ?? '–'}`] : []),
        `  report  ${summary.files.report}`,
        `  trace   ${summary.files.trace}  (Perfetto / chrome://tracing)`,
        `  cpu     ${summary.files.cpu}/*.cpuprofile  (Chrome DevTools / speedscope)`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      if (exit.code !== 0) {
        process.stderr.write(`weft profile: the run failed: the program ${ended}; the profile above covers only what it did until then\n`);
      }
    });
}
