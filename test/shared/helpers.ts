// Spawning and talking to fixture processes from the tests.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const shmPath = (name: string): string => `/dev/shm/${name}`;
export const shmExists = (name: string): boolean => existsSync(shmPath(name));

/** A forked peer.ts that answers requests. */
export class Peer {
  private next = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(readonly child: ChildProcess) {
    child.on('message', (msg: any) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if ('error' in msg) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
  }

  static async start(): Promise<Peer> {
    const child = fork(fixture('peer.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [msg] = (await once(child, 'message')) as [{ ready: boolean }];
    if (!msg.ready) throw new Error('peer did not start');
    return new Peer(child);
  }

  request<R = unknown>(op: string, fields: Record<string, unknown> = {}): Promise<R> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, ...fields });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Runs owner.ts with `how`, returning the child, its segment name once printed. */
export function startOwner(how: string): Promise<{ child: ChildProcess; name: string; stderr: () => string }> {
  return startOwnerVia(process.execPath, ['--import', 'tsx', fixture('owner.ts'), how]);
}

/** Like {@link startOwner}, through a command of its own (one that runs owner.ts somehow). */
export async function startOwnerVia(
  command: string,
  args: string[],
): Promise<{ child: ChildProcess; name: string; stderr: () => string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const name = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /segment (\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`owner exited before naming its segment: ${err}`)));
  });
  return { child, name, stderr: () => err };
}

export async function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}
