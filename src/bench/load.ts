/**
 * How much CPU other processes took while a series ran: the machine's busy time from /proc/stat minus the CPU
 * time of this process tree (/proc/<pid>/stat of this process and every descendant, with the time of children
 * already reaped), the way benchmark harnesses tell their own work from a machine's other load. Linux only.
 */
import { readFileSync } from 'node:fs';
import { processTree } from './memory/proc.js';

/** Other processes' CPU use while a series ran. */
export interface ForeignLoad {
  /** Average number of cores other processes kept busy. */
  cores: number;
  /** The same as a share of the machine's cores. */
  share: number;
  /** Seconds measured. */
  seconds: number;
  /** CPU milliseconds other processes took (in /proc's 10 ms ticks). */
  foreignMs: number;
}

/** Above this many cores taken by others, a series is re-run and, if it stays so, marked busy. */
export const BUSY_CORES = 0.25;

/**
 * /proc counts CPU time in ticks of 10 ms (USER_HZ, 100 on Linux), so a window of a few ticks cannot tell a
 * stray tick from a load: a load counts only once others took at least this much CPU in the window.
 */
const MIN_FOREIGN_MS = 50;

/** True when others took enough of the machine, for long enough, to disturb a measurement. */
export function isBusy(load: ForeignLoad | undefined): boolean {
  return load !== undefined && load.cores > BUSY_CORES && load.foreignMs >= MIN_FOREIGN_MS;
}

const TICK_MS = 10;

interface MachineTicks {
  busy: number;
  total: number;
  cpus: number;
}

function machineTicks(): MachineTicks | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'latin1');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user already)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = lines[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + (steal || 0);
  return { busy, total: busy + idle + iowait, cpus: lines.filter((l) => /^cpu\d/.test(l)).length };
}

/** utime + stime + cutime + cstime of one process, in clock ticks (0 when it is gone). */
function processTicks(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
}

/**
 * This tree's CPU ticks. A child that exits in a window moves its time into its parent's reaped-children
 * fields, so the sum over the tree stays continuous.
 */
function ownTicks(): number {
  return processTree(process.pid).reduce((sum, pid) => sum + processTicks(pid), 0);
}

/** A window over which foreign load is measured: `stop()` gives the load, or undefined off Linux. */
export interface LoadWindow {
  stop(): ForeignLoad | undefined;
}

/** Starts measuring other processes' CPU use. */
export function startLoadWindow(): LoadWindow {
  const machine = machineTicks();
  const own = machine ? ownTicks() : 0;
  const started = performance.now();
  return {
    stop() {
      const after = machineTicks();
      if (!machine || !after) return undefined;
      const total = after.total - machine.total;
      const seconds = (performance.now() - started) / 1000;
      if (total <= 0) return { cores: 0, share: 0, seconds, foreignMs: 0 };
      const foreign = Math.max(0, after.busy - machine.busy - (ownTicks() - own));
      const share = Math.min(1, foreign / total);
      return { cores: share * after.cpus, share, seconds, foreignMs: foreign * TICK_MS };
    },
  };
}
