/**
 * `weft worker`: serve a task module to cluster pools through Redis, on every core of this machine, until
 * SIGTERM or SIGINT (which finish the jobs taken and leave the rest queued for other workers).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serveCluster } from '../cluster/serve.js';
import { clusterTaskModuleUrl } from '../fl/sim/simulation.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer >= 1.');
  return n;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Serve a task module to cluster pools (backend: "cluster") through Redis, on this machine\'s cores')
    .option('--connection <url>', 'Redis URL, redis://[:password@]host[:port][/db][?prefix=name] or rediss:// (default: $WEFT_REDIS_URL, which keeps a password out of the process list)')
    .option('--module <path>', 'the task module; the same file the clients give (its SHA-256 must match)')
    .option('--fl', "serve the FL simulator's client training (weft fl --backend cluster) instead of a module")
    .option('--workers <n>', 'local pool workers (default: this machine\'s cores)', positiveInt)
    .addOption(new Option('--backend <kind>', 'local pool backend').choices(['thread', 'process']).default('thread'))
    .option('--queue <name>', 'the queue to serve', 'weft')
    .action(async (opts: { connection?: string; module?: string; fl?: boolean; workers?: number; backend: 'thread' | 'process'; queue: string }, command: Command) => {
      if (opts.fl === (opts.module !== undefined)) command.error("error: give either '--module <path>' or '--fl'");
      const connection = opts.connection ?? process.env.WEFT_REDIS_URL;
      if (!connection) command.error("error: give '--connection <url>' or set WEFT_REDIS_URL");
      const module = opts.fl ? clusterTaskModuleUrl() : pathToFileURL(resolve(opts.module!));
      const worker = await serveCluster({ connection: connection!, module, workers: opts.workers, backend: opts.backend, queue: opts.queue });
      process.stdout.write(
        `weft worker ${worker.id}: serving ${worker.module.path} (sha256 ${worker.module.hash.slice(0, 16)}) on queue '${opts.queue}' with ${opts.backend} workers\n`,
      );
      const stop = (signal: string): void => {
        process.stdout.write(`weft worker ${worker.id}: ${signal}, finishing the jobs taken\n`);
        worker.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`weft worker: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
