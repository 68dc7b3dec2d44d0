/**
 * The HTML report in a real headless Chromium (Debian's `chromium`, installed by
 * scripts/setup-system.sh chromium): the page loads offline with no console errors and every chart renders.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CASES } from '../../src/bench/cases/index.js';
import { chartsFor } from '../../src/bench/report/charts.js';
import { writeResults } from '../../src/bench/report/write.js';
import { runStudy } from '../../src/bench/runner.js';
import { noChromium, renderReport } from '../helpers/browser.js';

const skip = noChromium;

describe('the HTML report in headless Chromium', () => {
  it('loads with no console errors and renders every chart', { skip, timeout: 120_000 }, async () => {
    const result = await runStudy({ cases: CASES, size: 'tiny', workers: [1, 2], variants: ['sequential', 'thread', 'event-loop'], repeat: 2, warmup: 0, probe: true, python: { available: false, path: '', reason: 'not needed here' } });
    const expected = chartsFor(result).length;
    const dir = await mkdtemp(join(tmpdir(), 'weft-report-'));
    try {
      const files = await writeResults(result, { out: dir });
      const { page, errors, rendered, charts, close } = await renderReport(files.report);
      try {
        assert.deepEqual(errors, []);
        assert.equal(charts.length, expected);
        assert.equal(rendered, expected);
        for (const chart of charts) assert.ok(chart.marks > 0, `${chart.id} has no marks`);
        // What a reader sees in each chart's legend: every label whole, and a colour of its own for each entry.
        const legends = await page.$$eval('.chart', (divs) =>
          divs.map((div) => ({
            id: div.id,
            labels: [...div.querySelectorAll('.role-legend-label text')].map((t) => t.textContent ?? ''),
            colours: [...div.querySelectorAll('.role-legend-symbol path')].map((p) => p.getAttribute('fill') ?? p.getAttribute('stroke') ?? ''),
          })),
        );
        assert.ok(legends.some((l) => l.labels.length > 1), JSON.stringify(legends));
        for (const legend of legends) {
          for (const label of legend.labels) assert.ok(!label.endsWith('…'), `${legend.id}: legend label cut: ${label}`);
          if (legend.id.endsWith('-time') || legend.id.endsWith('-speedup')) assert.equal(new Set(legend.colours).size, legend.colours.length, `${legend.id}: two series share a colour: ${JSON.stringify(legend)}`);
        }
        const findings = await page.$$eval('table.findings tbody tr', (rows) => rows.length);
        assert.ok(findings >= 10);
      } finally {
        await close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
