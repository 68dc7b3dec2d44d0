/**
 * `weft profile [options] -- <script> [args...]`: runs a Node program with weft's telemetry and CPU profiles on
 * (through the preload in src/profile/preload.ts) and writes trace.json, summary.json, report.html and
 * one .cpuprofile per thread into --out.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ProfileReport } from '../profile/summary.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** The preload, as .ts under tsx (sources) or .js (compiled): only one exists. */
function preloadUrl(): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`../profile/preload${ext}`, import.meta.url).href;
}

/** Node flags for the profiled program: tsx when the preload or the script is TypeScript. */
export function profiledNodeArgs(script: string, args: readonly string[], preload = preloadUrl()): string[] {
  const needsTsx = preload.endsWith('.ts') || /\.(ts|mts|cts)$/.test(script);
  return [...(needsTsx ? ['--import', tsxUrl()] : []), '--import', preload, script, ...args];
}

/** tsx as weft finds it: a bare `--import tsx` would resolve from the program's directory, which may not have it. */
function tsxUrl(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/** Runs `script` profiled; resolves with its exit code. */
export function runProfiled(script: string, args: readonly string[], options: { out: string; cpu: boolean; interval: number }): Promise<number> {
  const child = spawn(process.execPath, profiledNodeArgs(script, args), {
    stdio: 'inherit',
    env: {
      ...process.env,
      WEFT_PROFILE_OUT: options.out,
      WEFT_PROFILE_CPU: options.cpu ? '1' : '0',
      WEFT_PROFILE_INTERVAL: String(options.interval),
      WEFT_PROFILE_TITLE: `weft profile: ${script}`,
      WEFT_PROFILE_OWNER: undefined,
    },
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

/** Registers `weft profile` on `program`. */
export function register(program: Command): void {
  program
    .command('profile')
    .description('Run a Node program with telemetry, a Chrome trace and CPU profiles of every pool worker on; write an HTML report.')
    .argument('<script>', 'the program (JavaScript, or TypeScript through tsx)')
    .argument('[args...]', "the program's arguments (put them after --)")
    .option('--out <dir>', 'directory for trace.json, summary.json, report.html and cpu/*.cpuprofile', 'weft-profile')
    .option('--no-cpu', 'telemetry and trace only, no CPU profiles')
    .option('--interval <us>', 'CPU sampling interval in microseconds', positiveInt, 500)
    .action(async (script: string, args: string[], opts: { out: string; cpu: boolean; interval: number }) => {
      const out = resolve(opts.out);
      const code = await runProfiled(resolve(script), args, { out, cpu: opts.cpu, interval: opts.interval });
      const summaryFile = resolve(out, 'summary.json');
      if (!existsSync(summaryFile)) {
        process.stderr.write(`weft profile: the program exited with code ${code} and wrote no profile\n`);
        process.exitCode = code || 1;
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
      process.exitCode = code;
    });
}
