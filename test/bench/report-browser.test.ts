/**
 * The HTML report in a real headless Chromium (Debian's `chromium`, installed by
 * scripts/setup-system.sh chromium): the page loads offline with no console errors and every chart renders.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { CASES } from '../../src/bench/cases/index.js';
import { chartsFor } from '../../src/bench/report/charts.js';
import { writeResults } from '../../src/bench/report/write.js';
import { runStudy } from '../../src/bench/runner.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (run scripts/setup-system.sh chromium)`;

describe('the HTML report in headless Chromium', () => {
  it('loads with no console errors and renders every chart', { skip, timeout: 120_000 }, async () => {
    const result = await runStudy({ cases: CASES, size: 'tiny', workers: [1, 2], variants: ['sequential', 'thread', 'event-loop'], repeat: 2, warmup: 0, probe: true, python: { available: false, path: '', reason: 'not needed here' } });
    const expected = chartsFor(result).length;
    const dir = await mkdtemp(join(tmpdir(), 'weft-report-'));
    const profile = await mkdtemp(join(tmpdir(), 'weft-chromium-'));
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      offline: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const files = await writeResults(result, { out: dir });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(files.report).href);
      await page.waitForSelector('body[data-charts-rendered]', { timeout: 60_000 });
      const rendered = await page.getAttribute('body', 'data-charts-rendered');
      const charts = await page.$$eval('.chart', (divs) =>
        divs.map((div) => ({ id: div.id, marks: div.querySelectorAll('svg .role-mark > *, svg path.mark-line, svg path').length })),
      );
      assert.deepEqual(errors, []);
      assert.equal(charts.length, expected);
      assert.equal(Number(rendered), expected);
      for (const chart of charts) assert.ok(chart.marks > 0, `${chart.id} has no marks`);
      const findings = await page.$$eval('table.findings tbody tr', (rows) => rows.length);
      assert.ok(findings >= 10);
    } finally {
      await context.close();
      await rm(dir, { recursive: true, force: true });
      await rm(profile, { recursive: true, force: true });
    }
  });
});
