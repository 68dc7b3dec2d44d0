/**
 * Separate hosts on one machine, for the cluster tests: a network namespace joined to this one by a veth pair
 * (10.77.<n>.1 here, 10.77.<n>.2 there), as root. A `weft worker` started in it reaches Redis over the pair only,
 * as a worker on another machine would, and taking the link down is a lost network.
 */
import { spawnSync } from 'node:child_process';

function ip(...args: string[]): void {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')}: ${run.stderr.trim()}`);
}

/** Why separate hosts cannot be made here, or false. */
export const noNetns: string | false = (() => {
  if (process.getuid?.() !== 0) return 'needs root for ip netns';
  const probe = `weft-probe-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0) return `ip netns does not work here: ${add.stderr?.trim() ?? add.error?.message}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return false;
})();

export class Host {
  private constructor(
    readonly name: string,
    /** This side's address on the pair (where Redis must listen). */
    readonly hostAddress: string,
    readonly address: string,
    private readonly hostSide: string,
  ) {}

  /** A new namespace, numbered `n` (1-250), with its end of the pair up. */
  static create(n: number): Host {
    const name = `weft-t${process.pid % 10_000}-${n}`;
    const hostSide = `wv${process.pid % 10_000}h${n}`;
    const inside = `wv${process.pid % 10_000}n${n}`;
    ip('netns', 'add', name);
    try {
      ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', name);
      ip('addr', 'add', `10.77.${n}.1/24`, 'dev', hostSide);
      ip('link', 'set', hostSide, 'up');
      ip('-n', name, 'addr', 'add', `10.77.${n}.2/24`, 'dev', inside);
      ip('-n', name, 'link', 'set', inside, 'up');
      ip('-n', name, 'link', 'set', 'lo', 'up');
    } catch (error) {
      spawnSync('ip', ['netns', 'del', name]);
      spawnSync('ip', ['link', 'del', hostSide]);
      throw error;
    }
    return new Host(name, `10.77.${n}.1`, `10.77.${n}.2`, hostSide);
  }

  /** The command prefix that runs a program in this host. */
  exec(command: string, args: string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.name, command, ...args]];
  }

  /** Cuts the link: the host is still running, but nothing reaches it. */
  disconnect(): void {
    ip('link', 'set', this.hostSide, 'down');
  }

  remove(): void {
    spawnSync('ip', ['link', 'del', this.hostSide]);
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}
