/**
 * The profile report in a real headless Chromium (Debian's `chromium`, installed by scripts/setup-system.sh chromium):
 * the page loads offline with no console errors, every chart renders, and the tables are there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profile } from '../../src/profile/index.js';
import { Mutex } from '../../src/sync/mutex.js';
import { noChromium, renderReport } from '../helpers/browser.js';
import { HOT_TASKS, withTempDir } from './helpers.js';

const skip = noChromium;

describe('the profile report in headless Chromium', () => {
  it('loads with no console errors and renders every chart and table', { skip, timeout: 90_000 }, async () => {
    await withTempDir(async (out) => {
      const mutex = Mutex.create({ stats: true });
      const { files } = await profile(async (session) => {
        session.watchLock('shared-table', mutex);
        const pool = session.createPool({ module: HOT_TASKS, backend: 'thread', workers: 2 });
        await Promise.all([
          ...Array.from({ length: 8 }, () => pool.run('crunch', 300_000)),
          ...Array.from({ length: 200 }, (_, i) => pool.run('add', i, 1)),
          pool.run('holdLock', mutex.state, 1, 5),
          pool.run('holdLock', mutex.state, 1, 5),
        ]);
        await pool.close();
      }, { out });
      const { page, errors, rendered, charts, close } = await renderReport(files.report);
      try {
        assert.deepEqual(errors, []);
        assert.deepEqual(charts.map((c) => c.id), ['chart-timeline', 'chart-utilisation', 'chart-queue-wait', 'chart-run-time']);
        assert.equal(rendered, charts.length);
        for (const chart of charts) assert.ok(chart.marks > 0, `${chart.id} has no marks`);
        assert.equal(await page.$$eval('table.workers tbody tr', (rows) => rows.length), 2);
        assert.equal(await page.$$eval('table.locks tbody tr', (rows) => rows.length), 1);
        assert.ok((await page.$$eval('table.hot tbody tr', (rows) => rows.length)) > 0);
      } finally {
        await close();
      }
    });
  });
});
