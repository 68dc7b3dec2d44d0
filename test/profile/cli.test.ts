/** `weft profile -- <script>`: runs the program under the preload and writes the files. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runProfiled } from '../../src/cli/profile.js';
import type { ProfileReport } from '../../src/profile/index.js';
import { withTempDir } from './helpers.js';

const PROGRAM = fileURLToPath(new URL('./fixtures/program.ts', import.meta.url));

describe('weft profile -- <script>', () => {
  it('profiles the program and writes trace, summary, report and the main thread profile', { timeout: 60_000 }, async () => {
    await withTempDir(async (out) => {
      const code = await runProfiled(PROGRAM, [], { out, cpu: true, interval: 500 });
      assert.equal(code, 0);
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
        const code = await runProfiled(PROGRAM, ['exit', backend], { out, cpu: true, interval: 500 });
        assert.equal(code, 0);
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
