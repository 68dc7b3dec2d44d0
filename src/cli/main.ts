#!/usr/bin/env node
/**
 * The `weft` command. Each subcommand lives in its own file and registers itself on the program
 * through a `register(program)` function listed here.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { register as registerBench } from './bench.js';
import { register as registerAdvise } from './advise.js';
import { register as registerFl } from './fl.js';
import { register as registerProfile } from './profile.js';
import { register as registerWorker } from './worker.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('weft')
  .description('Threads or processes? Measure CPU-bound work on this machine, and run it either way.')
  .version(pkg.version)
  .showHelpAfterError('(run with --help for usage)');

const commands: ((program: Command) => void)[] = [registerBench, registerFl, registerProfile, registerAdvise, registerWorker];
for (const register of commands) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`weft: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
