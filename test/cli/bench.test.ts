/**
 * `weft bench`: its flags, the cases and worker counts it runs, and where it writes. Bad flags are checked through
 * commander in this process (they stop before anything runs); real runs use the tiny sizes, one repeat, no Python
 * peers and no bandwidth probe, so each takes seconds.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import { register } from '../../src/cli/bench.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** tsx by absolute address, so the CLI also loads from a working directory outside the project. */
const TSX = import.meta.resolve('tsx');
/** Flags that keep a real run to seconds. */
const FAST = ['--size', 'tiny', '--repeat', '1', '--no-python', '--no-probe', '--no-progress'];

/** Parses `weft bench ...args` in this process and returns the error it stops with (all calls here are meant to fail). */
async function benchError(...args: string[]): Promise<string> {
  const program = new Command('weft').exitOverride();
  let err = '';
  register(program);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: () => {}, writeErr: (s) => (err += s) });
  try {
    await program.parseAsync(['bench', ...args], { from: 'user' });
  } catch (error) {
    return error instanceof CommanderError ? err.trim() : (error as Error).message;
  }
  assert.fail(`weft bench ${args.join(' ')} was expected to fail`);
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `weft bench ...args` in `cwd`. */
async function bench(cwd: string, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', TSX, MAIN, 'bench', ...args], { cwd, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-cli-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Results {
  size: string;
  repeat: number;
  workers: number[];
  python: { available: boolean };
  cases: { name: string; series: { variant: string; workers: number; ok: boolean; timesMs: number[] }[] }[];
}

const readJson = (file: string): Results => JSON.parse(readFileSync(file, 'utf8')) as Results;

describe('weft bench: bad flags', () => {
  it('an unknown case names the known ones', async () => {
    const message = await benchError('nope');
    assert.match(message, /unknown case 'nope'/);
    for (const name of ['primes', 'array-sum', 'race', 'fl']) assert.match(message, new RegExp(`\\b${name}\\b`));
  });

  it('--size takes tiny, quick or full', async () => {
    assert.match(await benchError('--size', 'huge'), /--size expects tiny, quick or full, got 'huge'/);
  });

  it('--workers takes a list of whole numbers of at least 1', async () => {
    for (const bad of ['0', 'two', '1,-2', '1.5', ',']) assert.match(await benchError('--workers', bad), /workers/i, bad);
  });

  it('--repeat takes a positive integer', async () => {
    assert.match(await benchError('--repeat', '0'), /--repeat expects a positive integer, got '0'/);
    assert.match(await benchError('--repeat', 'x'), /--repeat/);
  });

  it('--variants takes known variants or python', async () => {
    assert.match(await benchError('--variants', 'thread,fibres'), /unknown variant 'fibres'.*python/);
  });

  it('unknown options and missing values are commander errors', async () => {
    assert.match(await benchError('--bogus'), /unknown option '--bogus'/);
    assert.match(await benchError('--workers'), /option '-w, --workers <list>' argument missing/);
  });

  it('the real command says what was wrong and exits with 1, writing nothing', async () => {
    const cwd = tempDir();
    const run = await bench(cwd, 'primes', '--size', 'huge');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^weft: --size expects tiny, quick or full/m);
    assert.deepEqual(readdirSync(cwd), []);
  });
});

describe('weft bench: runs at the tiny sizes', () => {
  it('runs only the named case at the given worker counts and writes JSON, CSV, report and charts to --out', { timeout: 180_000 }, async () => {
    const cwd = tempDir();
    const out = join(cwd, 'out');
    const json = join(cwd, 'elsewhere.json');
    const run = await bench(cwd, 'primes', '--workers', '2,1,2', '--variants', 'thread', '--out', out, '--json', json, ...FAST);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /tiny sizes/);
    assert.match(run.stdout, /Results folder: .*out$/m);
    assert.match(run.stdout, new RegExp(`Wrote ${json.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const results = readJson(json);
    assert.equal(results.size, 'tiny');
    assert.equal(results.repeat, 1);
    assert.deepEqual(results.workers, [1, 2], 'sorted and deduplicated');
    assert.equal(results.python.available, false);
    assert.deepEqual(results.cases.map((c) => c.name), ['primes']);
    const series = results.cases[0].series;
    assert.deepEqual([...new Set(series.map((s) => s.variant))].sort(), ['sequential', 'thread'], 'sequential comes with any --variants');
    assert.deepEqual([...new Set(series.filter((s) => s.variant === 'thread').map((s) => s.workers))].sort(), [1, 2]);
    for (const s of series) {
      assert.ok(s.ok, `${s.variant} W=${s.workers}`);
      assert.equal(s.timesMs.length, 1);
    }
    assert.ok(!existsSync(join(out, 'results.json')), '--json moves the JSON out of the folder');
    for (const file of ['results.csv', 'report.html']) assert.ok(existsSync(join(out, file)), file);
    assert.match(readFileSync(join(out, 'results.csv'), 'utf8'), /^case,size,variant,/);
    assert.ok(readdirSync(join(out, 'charts')).some((f) => f.endsWith('.svg')));
  });

  it('without --out writes a new results/bench-<date-time> folder in the working directory', { timeout: 180_000 }, async () => {
    const cwd = tempDir();
    const run = await bench(cwd, 'race', '--workers', '2', '--variants', 'thread', ...FAST);
    assert.equal(run.code, 0, run.stderr);
    const folders = readdirSync(join(cwd, 'results'));
    assert.equal(folders.length, 1);
    assert.match(folders[0], /^bench-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/);
    const folder = join(cwd, 'results', folders[0]);
    assert.match(run.stdout, new RegExp(`Results folder: .*results/${folders[0]}$`, 'm'));
    const results = readJson(join(folder, 'results.json'));
    assert.deepEqual(results.cases.map((c) => c.name), ['race']);
    assert.deepEqual(results.workers, [2]);
  });
});
