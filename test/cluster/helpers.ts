/**
 * Real Redis and real `weft worker` processes for the cluster tests: `redis-server` on a free loopback port (the
 * CI installs Debian's package through scripts/setup-system.sh), and workers started as a user starts them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Host } from './hosts.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
export const TASKS = fileURLToPath(new URL('../fixtures/tasks.ts', import.meta.url));

/** Why the cluster tests cannot run here, or false (`npm test` and CI install it: scripts/setup-system.sh redis). */
export const noRedis: string | false =
  spawnSync('redis-server', ['--version']).status === 0 ? false : 'redis-server is not installed (run scripts/setup-system.sh redis)';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

export class RedisServer {
  private constructor(
    readonly port: number,
    private child: ChildProcess,
    private readonly alsoOn: string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The URL by another of its addresses. */
  urlAt(address: string): string {
    return `redis://${address}:${this.port}`;
  }

  /** Starts redis-server on a free port, listening on loopback and on `alsoOn` (e.g. a veth address, see hosts.ts). */
  static async start(alsoOn: string[] = [], port?: number): Promise<RedisServer> {
    port ??= await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...alsoOn, '--protected-mode', 'no', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!/Ready to accept connections/.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${port}:\n${out}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return new RedisServer(port, child, alsoOn);
  }

  /** A plain client, to look at the keys. */
  client(): Redis {
    return new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 });
  }

  async keys(pattern = '*'): Promise<string[]> {
    const redis = this.client();
    try {
      return (await redis.keys(pattern)).sort();
    } finally {
      redis.disconnect();
    }
  }

  /** Kills it and starts it again on the same port, empty (no persistence), as after a crash. */
  async restart(): Promise<void> {
    await this.stop();
    const again = await RedisServer.start(this.alsoOn, this.port);
    this.child = again.child;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }
}

/** A `weft worker` process. */
export class WorkerProcess {
  private output = '';
  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  get log(): string {
    return this.output;
  }

  /** Starts `weft worker` (one local worker unless `args` say otherwise) and waits until it serves (its first line), or fails with its output. */
  static async start(url: string, args: string[] = [], module = TASKS, host?: Host): Promise<WorkerProcess> {
    // `--fl` serves the simulator's own module instead of one given.
    const serve = args.includes('--fl') ? [] : ['--module', module];
    const argv = ['--import', TSX, MAIN, 'worker', '--connection', url, ...serve, '--workers', '1', ...args];
    const [command, commandArgs] = host ? host.exec(process.execPath, argv) : [process.execPath, argv];
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const worker = new WorkerProcess(child);
    const deadline = Date.now() + 60_000;
    while (!/serving/.test(worker.output)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`weft worker did not start:\n${worker.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return worker;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<unknown> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    return exited;
  }
}
