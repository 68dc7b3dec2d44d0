/**
 * `weft fl --report FILE --svg DIR`: the HTML report of a real (tiny) run holds the accuracy and round-time charts'
 * specs over the run's own numbers, the per-round table and the failures; and in a real headless Chromium (Debian's
 * `chromium`, as test/bench/report-browser.test.ts uses it) it loads offline with no console errors and draws every chart.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { FlReport } from '../../../src/fl/sim/index.js';
import { ROUND_PHASES, flCharts, toFlHtml } from '../../../src/fl/sim/report/index.js';
import { noChromium, renderReport } from '../../helpers/browser.js';
import { FL_CLI } from './helpers.js';

const noBrowser = noChromium;

const root = mkdtempSync(join(tmpdir(), 'weft-fl-report-'));
const reportFile = join(root, 'report.html');
const jsonFile = join(root, 'run.json');
const svgDir = join(root, 'charts');
after(() => rmSync(root, { recursive: true, force: true }));

type Spec = { data: { values: Record<string, number | string>[] }; layer?: unknown[] };

/** The embedded JSON report and the chart specs, read back out of the page the way its own script reads them. */
function parsePage(html: string): { report: FlReport; specs: Record<string, Spec> } {
  const json = /<script type="application\/json" id="results">(.*?)<\/script>/s.exec(html);
  const specs = /^const specs = (.*);$/m.exec(html);
  assert.ok(json && specs, 'the page embeds the results and the chart specs');
  return { report: JSON.parse(json[1]) as FlReport, specs: JSON.parse(specs[1]) as Record<string, Spec> };
}

describe('weft fl --report', () => {
  let html = '';
  let stored: FlReport;

  before(() => {
    // Every client fails its first attempt and is retried, so the run has a failures list but completes every round.
    const clients = Array.from({ length: 10 }, (_, i) => i).join(',');
    const args = ['fl', '--train-limit', '2000', '--test-limit', '500', '--clients', '10', '--fraction', '0.3', '--rounds', '2', '--seed', '3'];
    args.push('--fail-clients', clients, '--fail-attempts', '1', '--retries', '1', '--quiet', '--json', jsonFile, '--report', reportFile, '--svg', svgDir);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(FL_CLI), ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    html = readFileSync(reportFile, 'utf8');
    stored = JSON.parse(readFileSync(jsonFile, 'utf8')) as FlReport;
  });

  it('embeds the same report as --json and the charts of accuracy/loss and seconds per round over its rounds', () => {
    const { report, specs } = parsePage(html);
    assert.deepEqual({ ...report, createdAt: '' }, { ...stored, createdAt: '' });
    assert.deepEqual(Object.keys(specs), ['fl-accuracy', 'fl-round-time']);

    const accuracy = specs['fl-accuracy'];
    assert.equal(accuracy.layer?.length, 2, 'one line for accuracy, one for loss');
    assert.deepEqual(
      accuracy.data.values,
      report.rounds.map((r) => ({ round: r.round, accuracy: 100 * r.accuracy!, loss: r.loss! })),
    );
    assert.equal(accuracy.data.values.at(-1)!.accuracy, 100 * report.accuracy!);

    const time = specs['fl-round-time'].data.values;
    assert.equal(time.length, report.rounds.length * ROUND_PHASES.length);
    for (const r of report.rounds) {
      const phases = time.filter((row) => row.round === r.round);
      assert.deepEqual(phases.map((row) => row.phase), [...ROUND_PHASES]);
      assert.equal(phases.find((row) => row.phase === 'train')!.seconds, r.trainMs / 1000);
      const total = phases.reduce((a, row) => a + (row.seconds as number), 0);
      assert.ok(Math.abs(total - r.seconds) < 1e-6, `round ${r.round}: the phases add up to the round (${total} vs ${r.seconds})`);
    }
  });

  it('has the per-round table, the failures and the configuration', () => {
    const { report } = parsePage(html);
    assert.ok(report.failures.length > 0 && report.failures.every((f) => f.action === 'retried'));
    const table = (name: string): string => new RegExp(`<table class="${name}">(.*?)</table>`, 's').exec(html)?.[1] ?? '';
    const rows = (name: string): number => (table(name).match(/<tr>/g) ?? []).length - 1;
    assert.equal(rows('rounds'), report.rounds.length);
    assert.equal(rows('failures'), report.failures.length);
    assert.match(table('config'), /<code>faults\.attempts<\/code><\/td><td>1</);
    assert.match(html, new RegExp(report.paramsHash));
  });

  it('writes the same charts as standalone SVG files', () => {
    assert.deepEqual(readdirSync(svgDir).sort(), ['fl-accuracy.svg', 'fl-round-time.svg']);
    for (const file of readdirSync(svgDir)) assert.match(readFileSync(join(svgDir, file), 'utf8'), /^<svg[\s\S]*<\/svg>$/);
  });

  it('labels the round axis at whole rounds, once each', () => {
    // The x axis's labels come first in the SVG, then its title "round" (Vega left alone wrote "1, 1, 1, 2, 2" here).
    const texts = [...readFileSync(join(svgDir, 'fl-accuracy.svg'), 'utf8').matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(texts.slice(0, texts.indexOf('round')), ['1', '2']);
  });

  it('charts only the evaluated rounds and says so when no client failed', () => {
    const { report } = parsePage(html);
    const sparse: FlReport = { ...report, failures: [], rounds: report.rounds.map((r, i) => (i === 0 ? { ...r, accuracy: null, loss: null } : r)) };
    const [accuracy] = flCharts(sparse);
    assert.deepEqual((accuracy.spec as Spec).data.values.map((v) => v.round), [2]);
    assert.match(toFlHtml(sparse, flCharts(sparse)), /No client attempt failed/);
  });

  it('loads in headless Chromium with no console errors and draws every chart', { skip: noBrowser, timeout: 120_000 }, async () => {
    const { errors, rendered, charts, close } = await renderReport(reportFile);
    try {
      assert.deepEqual(errors, []);
      assert.deepEqual(charts.map((c) => c.id), ['chart-fl-accuracy', 'chart-fl-round-time']);
      assert.equal(rendered, charts.length);
      for (const chart of charts) assert.ok(chart.marks > 0, `${chart.id} has no marks`);
    } finally {
      await close();
    }
  });
});
