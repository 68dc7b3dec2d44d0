/** `profile(block)` on a known workload: every worker's CPU profile names the hot function, on threads and processes. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { profile } from '../../src/profile/index.js';
import type { CpuProfile } from '../../src/profile/index.js';
import { HOT_TASKS, withTempDir } from './helpers.js';

for (const backend of ['thread', 'process'] as const) {
  describe(`profile() on the ${backend} backend`, () => {
    it('writes one .cpuprofile per worker whose hottest function is the known hot loop', { timeout: 60_000 }, async () => {
      await withTempDir(async (out) => {
        const { files, summary } = await profile(async (session) => {
          const pool = session.createPool({ module: HOT_TASKS, backend, workers: 2 });
          await Promise.all(Array.from({ length: 12 }, () => pool.run('crunch', 1_500_000)));
          await pool.close();
        }, { out });
        assert.equal(summary.tasks.count, 12);
        assert.equal(summary.workers.length, 2);
        for (const w of summary.workers) assert.match(w.name, new RegExp(`^${backend}-[12]\\b`));
        assert.equal(summary.cpu.workers.length, 2, 'one profile per worker');
        for (const w of summary.cpu.workers) {
          assert.equal(w.hottest, 'spinHotLoop', `${w.name}: ${JSON.stringify(w.functions.slice(0, 3))}`);
          assert.ok(summary.workers.some((pw) => pw.name === w.name), `${w.name} is one of the pool's workers`);
        }
        assert.equal(summary.cpu.overall?.hottest, 'spinHotLoop');
        // At its line in the TypeScript source, not where the compiled code put it (tsx's output is one line).
        const line = readFileSync(fileURLToPath(HOT_TASKS), 'utf8').split('\n').findIndex((l) => /function spinHotLoop\b/.test(l)) + 1;
        for (const w of summary.cpu.workers) assert.equal(w.functions.find((f) => f.name === 'spinHotLoop')?.line, line, `${w.name}: ${JSON.stringify(w.functions.slice(0, 3))}`);
        assert.ok(summary.cpu.main, 'the main thread is profiled too');
        // Each file is a V8 CPU profile that DevTools and speedscope read.
        assert.equal(files.cpuProfiles.length, 3);
        for (const file of files.cpuProfiles) {
          const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
          assert.ok(Array.isArray(p.nodes) && p.nodes[0].callFrame && Array.isArray(p.samples) && Array.isArray(p.timeDeltas));
          assert.ok(p.endTime > p.startTime);
        }
        for (const file of [files.trace, files.summary, files.report]) assert.ok(existsSync(file), file);
      });
    });
  });
}
