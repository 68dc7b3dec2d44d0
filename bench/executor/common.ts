/**
 * What both suites of the executor benchmark share: the pools, running one measurement in a
 * process of its own, the machine's load, and the statistics and tables of the report.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Backend = 'thread' | 'process';

export const POOLS: Record<Backend, string[]> = {
  thread: ['weft', 'piscina', 'tinypool', 'workerpool', 'poolifier'],
  process: ['weft', 'tinypool', 'workerpool', 'poolifier'],
};

export const ROOT = new URL('../../', import.meta.url);

export function fail(message: string): never {
  console.error(`run.ts: ${message}`);
  process.exit(2);
}

export function weftEntry(which: 'src' | 'dist'): string {
  const url = new URL(which === 'src' ? 'src/index.ts' : 'dist/index.js', ROOT);
  if (!existsSync(url)) fail(`${fileURLToPath(url)} does not exist${which === 'dist' ? ' (run `npm run build`)' : ''}`);
  return url.href;
}

/** What one measuring process reports: its figures, and what went wrong if anything did. */
export interface Measured<F extends string> {
  pool: string;
  backend: Backend;
  ok: boolean;
  notes: string[];
  figures: Partial<Record<F, number>>;
  extra: Record<string, number>;
  errors: Record<string, string>;
}

/** What a measuring process printed after `@@RESULT `, and when it ended (wall clock, ms). */
export interface Spawned<R> {
  result: R | undefined;
  exitedAt: number;
  failure: string | undefined;
}

/**
 * Runs `script` with `config` (as JSON) in a fresh process, its own process group, killed once it
 * ends or after `timeoutMs`. weft from src/ needs tsx in that process (its workers inherit it).
 */
export function spawnMeasurement<R>(script: string, config: { pool: string }, weft: 'src' | 'dist', timeoutMs: number): Promise<Spawned<R>> {
  const nodeArgs = config.pool === 'weft' && weft === 'src' ? ['--import', import.meta.resolve('tsx')] : [];
  const child = spawn(process.execPath, [...nodeArgs, script, JSON.stringify(config)], {
    cwd: fileURLToPath(ROOT),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('exit', () => {
      const exitedAt = Date.now();
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        killGroup(child.pid); // workers a hung pool left behind
        const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
        const result = line ? (JSON.parse(line.slice('@@RESULT '.length)) as R) : undefined;
        const why = timedOut
          ? `no end within ${timeoutMs / 1000} s; process group killed`
          : result === undefined
            ? `exited (code ${code}, signal ${signal}) without a result`
            : undefined;
        const failure = why && `${why}. stderr: ${lastLines(stderr, 5)}`;
        if (result && stderr.trim()) (result as { notes?: string[] }).notes?.push(`stderr: ${lastLines(stderr, 3)}`);
        resolve({ result, exitedAt, failure });
      });
    });
  });
}

export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/** CPU share busy over `ms`, from /proc/stat (Linux); undefined elsewhere. */
export async function machineBusy(ms = 300): Promise<number | undefined> {
  const read = (): number[] | undefined => {
    try {
      return readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    } catch {
      return undefined;
    }
  };
  const a = read();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = read();
  if (!a || !b) return undefined;
  const total = b.reduce((x, y) => x + y, 0) - a.reduce((x, y) => x + y, 0);
  const idle = b[3] + (b[4] ?? 0) - (a[3] + (a[4] ?? 0));
  return total > 0 ? 1 - idle / total : undefined;
}

/** Waits up to `seconds` for other processes' load to fall below 25%; returns the last reading. */
export async function settle(seconds: number): Promise<number | undefined> {
  let busy = await machineBusy();
  for (const until = Date.now() + seconds * 1000; busy !== undefined && busy > 0.25 && Date.now() < until; ) busy = await machineBusy();
  return busy;
}

/** Which weft is measured: the commit, and whether src/ has uncommitted changes. */
export function gitState(): string {
  try {
    const cwd = fileURLToPath(ROOT);
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes in ${dirty.split('\n').length} src/ file(s)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmt(value: number | undefined, digits: number): string {
  if (value === undefined) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A figure of a table: how it is named and printed, and which way is better. */
export interface FigureSpec<F extends string> {
  key: F;
  label: string;
  lowerIsBetter: boolean;
  digits: number;
}

/** Median, count and range of each figure over the runs of one pool. */
export interface Spread<F extends string> {
  medians: Partial<Record<F, number>>;
  counts: Partial<Record<F, number>>;
  spread: Partial<Record<F, [number, number]>>;
}

export function spreadOf<F extends string>(figures: FigureSpec<F>[], runs: { figures: Partial<Record<F, number>> }[]): Spread<F> {
  const out: Spread<F> = { medians: {}, counts: {}, spread: {} };
  for (const { key } of figures) {
    const values = runs.map((r) => r.figures[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) continue;
    out.medians[key] = median(values);
    out.counts[key] = values.length;
    out.spread[key] = [Math.min(...values), Math.max(...values)];
  }
  return out;
}

/** A figure's median with its range, e.g. `42.1 (38.0-51.3)`, or FAILED. */
export function cell<F extends string>(s: Spread<F>, f: FigureSpec<F>, runs: number): string {
  const m = s.medians[f.key];
  if (m === undefined) return 'FAILED';
  const [lo, hi] = s.spread[f.key]!;
  const range = runs > 1 ? ` (${fmt(lo, f.digits)}-${fmt(hi, f.digits)})` : '';
  const n = s.counts[f.key] ?? 0;
  return `${fmt(m, f.digits)}${range}${n < runs ? ` [${n}/${runs}]` : ''}`;
}

/** weft against its best peer on one figure: ratio > 1 means weft is better. */
export interface Verdict<F extends string> {
  figure: F;
  weft: number | undefined;
  bestPeer: string | undefined;
  best: number | undefined;
  ratio: number | undefined;
  target: number;
  met: boolean | undefined;
}

export function verdict<F extends string>(f: FigureSpec<F>, target: number, pools: { pool: string; stats: Spread<F> }[]): Verdict<F> {
  let bestPeer: string | undefined;
  let best: number | undefined;
  for (const p of pools) {
    if (p.pool === 'weft') continue;
    const v = p.stats.medians[f.key];
    if (v === undefined) continue;
    if (best === undefined || (f.lowerIsBetter ? v < best : v > best)) {
      best = v;
      bestPeer = p.pool;
    }
  }
  const w = pools.find((p) => p.pool === 'weft')?.stats.medians[f.key];
  const ratio = w === undefined || best === undefined ? undefined : f.lowerIsBetter ? best / Math.max(w, 1e-9) : w / best;
  return { figure: f.key, weft: w, bestPeer, best, ratio, target, met: ratio === undefined ? undefined : ratio >= target };
}

export function verdictRow<F extends string>(f: FigureSpec<F>, v: Verdict<F>): string[] {
  return [
    f.label,
    fmt(v.weft, f.digits),
    v.bestPeer ? `${fmt(v.best, f.digits)} (${v.bestPeer})` : '—',
    v.ratio === undefined ? '—' : `${v.ratio.toFixed(2)}x`,
    `>= ${v.target.toFixed(1)}x`,
    v.met === undefined ? 'n/a' : v.met ? 'met' : 'MISSED',
  ];
}
