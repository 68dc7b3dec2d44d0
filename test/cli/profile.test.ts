/** `weft profile -- [node [node flags]] <script>`: runs the program under the preload and writes the files. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parseCommand, runProfiled } from '../../src/cli/profile.js';
import type { ProfileReport } from '../../src/profile/index.js';
import { installedProject, type InstalledProject } from '../helpers/installed.js';
import { withTempDir } from '../profile/helpers.js';

const PROGRAM = fileURLToPath(new URL('../profile/fixtures/program.ts', import.meta.url));

describe('weft profile -- <script>', () => {
  it('profiles the program and writes trace, summary, report and the main thread profile', { timeout: 60_000 }, async () => {
    await withTempDir(async (out) => {
      const exit = await runProfiled(parseCommand([PROGRAM]), { out, cpu: true, interval: 500 });
      assert.deepEqual(exit, { code: 0, signal: null });
      for (const file of ['trace.json', 'summary.json', 'report.html', 'cpu/main.cpuprofile']) assert.ok(existsSync(join(out, file)), file);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ProfileReport;
      assert.equal(summary.cpu.main?.hottest, 'spinHotLoop');
      // The program's own pool is profiled once createPool consults the create-pool hook (see src/profile/hook.ts).
      if (summary.workers.length > 0) {
        assert.equal(summary.tasks.count, 6);
        assertBusyWorkersHot(summary);
      }
    });
  });

  for (const backend of ['thread', 'process']) {
    it(`collects the ${backend} workers' profiles of a pool still open at process.exit()`, { timeout: 60_000 }, async () => {
      await withTempDir(async (out) => {
        const exit = await runProfiled(parseCommand(['node', PROGRAM, 'exit', backend]), { out, cpu: true, interval: 500 });
        assert.equal(exit.code, 0);
        const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ProfileReport;
        assert.equal(summary.tasks.count, 6);
        assert.equal(summary.cpu.workers.length, 2, summary.cpu.workers.map((w) => w.name).join());
        for (const w of summary.cpu.workers) assert.ok(existsSync(w.file!), w.file);
        assertBusyWorkersHot(summary);
      });
    });
  }
});

/** Every worker that ran tasks has the task's loop as its hottest function (one may have run none: the first ready can take all six). */
function assertBusyWorkersHot(summary: ProfileReport): void {
  const busy = new Set(summary.workers.filter((w) => w.tasks > 0).map((w) => w.name));
  assert.ok(busy.size > 0);
  for (const w of summary.cpu.workers) if (busy.has(w.name)) assert.equal(w.hottest, 'spinHotLoop', w.name);
}

describe('weft profile: the command line', () => {
  it('reads `node [node flags] <script> [args]` and a bare `<script> [args]`', () => {
    assert.deepEqual(parseCommand(['node', '--max-old-space-size=128', '-r', './setup.cjs', '--import', 'tsx', 'app.js', 'a', '--b']), {
      node: process.execPath,
      nodeFlags: ['--max-old-space-size=128', '-r', './setup.cjs', '--import', 'tsx'],
      script: resolve('app.js'),
      args: ['a', '--b'],
    });
    assert.deepEqual(parseCommand(['app.ts', '--x']), { node: process.execPath, nodeFlags: [], script: resolve('app.ts'), args: ['--x'] });
    assert.deepEqual(parseCommand(['/opt/node/bin/node', '--', 'app.js']), { node: '/opt/node/bin/node', nodeFlags: [], script: resolve('app.js'), args: [] });
    assert.throws(() => parseCommand(['node', '--enable-source-maps']), /no script to run/);
    assert.throws(() => parseCommand(['node', '-e', '1']), /runs a script file/);
  });
});

/** A program for the installed package: a pool of `backend` over `tasks`, three calls, then what `how` says. */
function userProgram(project: InstalledProject, tasks: string, typed: boolean): string {
  return `
    import { createPool } from ${JSON.stringify(project.name)};
    const [how = 'ok'] = process.argv.slice(2);
    const pool = createPool({ module: new URL(${JSON.stringify(tasks)}, import.meta.url), backend: 'thread', workers: 2 });
    const sums${typed ? ': number[]' : ''} = await Promise.all([1, 2, 3].map((n) => pool.run('twice', n)));
    await pool.close();
    console.log('argv', JSON.stringify(process.argv.slice(2)), 'execArgv', JSON.stringify(process.execArgv.filter((f) => !f.startsWith('--import') && !f.includes('preload'))), 'sums', sums.join());
    if (how === 'throw') throw new Error('the program gave up');
    if (how.startsWith('exit=')) process.exitCode = Number(how.slice(5));
  `;
}

/** A program for the installed package that profiles a pool of the task module given as its argument through profile(). */
function apiProgram(project: InstalledProject): string {
  return `
    import { profile } from ${JSON.stringify(project.name)};
    const started = Date.now();
    try {
      const { summary } = await profile(async (session) => {
        const pool = session.createPool({ module: new URL(process.argv[2], import.meta.url), workers: 2 });
        try { await Promise.all([1, 2, 3].map((n) => pool.run('twice', n))); } finally { await pool.close(); }
      }, { out: 'prof-api', cpu: false });
      console.log(JSON.stringify({ tasks: summary.tasks.count }));
    } catch (e) {
      console.log(JSON.stringify({ error: e.name, message: e.message, ms: Date.now() - started }));
    }
  `;
}

/** Runs the installed weft's CLI in `project`; resolves with its exit code and output, whatever the code. */
function weftCli(project: InstalledProject, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [project.cli, 'profile', '--no-cpu', '--out', join(project.dir, 'prof'), ...args], { cwd: project.dir, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      if (typeof code !== 'number') fail(error);
      else done({ code, stdout, stderr });
    });
  });
}

describe('weft profile from an installed weft (no tsx next to it)', () => {
  const NODE_STRIPS = Boolean((process.features as { typescript?: string | false }).typescript);
  let bare: InstalledProject;
  let withTsx: InstalledProject;
  before(() => {
    bare = installedProject();
    withTsx = installedProject({ tsx: true });
    for (const project of [bare, withTsx]) {
      project.write({
        'tasks.mjs': 'export function twice(n) { return 2 * n; }\n',
        'tasks/plain.ts': 'export function twice(n: number): number { return 2 * n; }\n',
        'tasks/enum.ts': 'enum Factor { Two = 2 }\nexport function twice(n: number): number { return Factor.Two * n; }\n',
        'app.js': userProgram(project, './tasks.mjs', false),
        'app.ts': userProgram(project, './tasks/plain.ts', true),
        'app-enum.ts': `enum Unused { A }\n${userProgram(project, './tasks/enum.ts', true)}`,
        'api.mjs': apiProgram(project),
      });
    }
  });
  after(() => {
    bare.remove();
    withTsx.remove();
  });

  it('`-- node app.js args` runs app.js with its arguments and profiles its pool', { timeout: 60_000 }, async () => {
    const run = await weftCli(bare, ['--', 'node', 'app.js', 'one', '--two']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /argv \["one","--two"\] execArgv \[\] sums 2,4,6/);
    assert.match(run.stdout, /weft profile: 3 tasks on 2 workers/);
    assert.doesNotMatch(run.stderr, /failed/);
  });

  it('`-- node --some-flag app.js` gives the flag to Node, not to the script', { timeout: 60_000 }, async () => {
    const run = await weftCli(bare, ['--', 'node', '--max-old-space-size=200', '--title', 'profiled', 'app.js', 'x']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /argv \["x"\] execArgv \["--max-old-space-size=200","--title","profiled"\] sums 2,4,6/);
    assert.match(run.stdout, /weft profile: 3 tasks on 2 workers/);
  });

  it('`-- app.ts` with a .ts task module runs on Node\'s type stripping, or says it needs Node >= 22.18 or tsx', { timeout: 60_000 }, async () => {
    const run = await weftCli(bare, ['--', 'app.ts', 'ts']);
    if (NODE_STRIPS) {
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /argv \["ts"\] execArgv \[\] sums 2,4,6/);
      assert.match(run.stdout, /weft profile: 3 tasks on 2 workers/);
    } else {
      assert.equal(run.code, 1);
      assert.match(run.stderr, /app\.ts is TypeScript and Node v[\d.]+ cannot load it itself \(type stripping needs Node >= 22\.18/);
      assert.match(run.stderr, /npm install -D tsx/);
      assert.match(run.stderr, /weft profile: the run failed: the program exited with code 1/);
    }
  });

  it('`-- node app-enum.ts` (enums in the script and its task module) runs on the project\'s tsx', { timeout: 60_000 }, async () => {
    const run = await weftCli(withTsx, ['--', 'node', 'app-enum.ts']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /sums 2,4,6/);
    assert.match(run.stdout, /weft profile: 3 tasks on 2 workers/);
  });

  it('profile() of a task module with an enum runs on the project\'s tsx', { timeout: 60_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['api.mjs', './tasks/enum.ts'], { cwd: withTsx.dir, timeout: 60_000 });
    assert.deepEqual(JSON.parse(stdout), { tasks: 3 });
  });

  it('profile() of a task module with an enum and no tsx: a prompt ModuleLoadError that names the user\'s module', { timeout: 60_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['api.mjs', './tasks/enum.ts'], { cwd: bare.dir, timeout: 60_000 });
    const out = JSON.parse(stdout) as { error: string; message: string; ms: number };
    assert.equal(out.error, 'ModuleLoadError');
    assert.match(out.message, /^the task module file:\/\/\/.*\/tasks\/enum\.ts failed to load/);
    assert.match(out.message, /npm install -D tsx/);
    // The profiled workers that never loaded the module are not waited for.
    assert.ok(out.ms < 3000, `${out.ms} ms`);
  });

  it('passes on the exit code of a script that exits non-zero, and says the run failed', { timeout: 60_000 }, async () => {
    const run = await weftCli(bare, ['--', 'node', 'app.js', 'exit=3']);
    assert.equal(run.code, 3);
    assert.match(run.stdout, /weft profile: 3 tasks on 2 workers/);
    assert.match(run.stderr, /weft profile: the run failed: the program exited with code 3; the profile above covers only what it did until then/);
  });

  it('a script that throws: its error, then that the run failed, and exit code 1', { timeout: 60_000 }, async () => {
    const run = await weftCli(bare, ['--', 'app.js', 'throw']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Error: the program gave up/);
    assert.match(run.stderr, /weft profile: the run failed: the program exited with code 1/);
  });

  it('a script that does not exist: an error before anything runs', { timeout: 60_000 }, async () => {
    const run = await weftCli(bare, ['--', 'node', 'missing.js']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no such script: .*missing\.js/);
  });
});
