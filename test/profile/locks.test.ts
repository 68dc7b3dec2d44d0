/** A deliberately contended mutex shows up in the contention table (summary.json and the report). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { profile } from '../../src/profile/index.js';
import { Mutex } from '../../src/sync/mutex.js';
import { HOT_TASKS, withTempDir } from './helpers.js';

describe('lock contention', () => {
  it('reports a mutex that two workers fight over', { timeout: 30_000 }, async () => {
    await withTempDir(async (out) => {
      const busy = Mutex.create({ stats: true });
      const quiet = Mutex.create({ stats: true });
      const { summary, files } = await profile(async (session) => {
        session.watchLock('busy-table', busy).watchLock('quiet-table', quiet);
        const pool = session.createPool({ module: HOT_TASKS, backend: 'thread', workers: 2, start: 'eager' });
        await pool.ready();
        await Promise.all([pool.run('holdLock', busy.state, 2, 15), pool.run('holdLock', busy.state, 2, 15), pool.run('holdLock', quiet.state, 0, 5)]);
        await pool.close();
      }, { out, cpu: false });
      const byName = new Map(summary.locks.map((l) => [l.name, l]));
      const hot = byName.get('busy-table')!;
      assert.equal(hot.acquisitions, 30);
      assert.ok(hot.contended > 0, `contended ${hot.contended}`);
      assert.ok(hot.totalWaitMs > 0 && hot.worstWaitMs > 0);
      assert.equal(byName.get('quiet-table')!.contended, 0);
      const html = readFileSync(files.report, 'utf8');
      assert.match(html, /<table class="num locks">.*busy-table/s);
    });
  });
});
