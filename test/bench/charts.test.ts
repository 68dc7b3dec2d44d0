/** The study's chart specs as a reader sees them drawn: whole legend labels, a distinct colour per series. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartsFor } from '../../src/bench/report/charts.js';
import type { StudyResult } from '../../src/bench/result.js';
import { renderSvg } from '../../src/report/svg.js';

const LABELS = ['sequential', 'thread (shared)', 'py-threading (equal chunks, shared)', 'py-processes (equal chunks, copied)'];

/** A study of one case whose series carry the long labels the Python peers have. */
function study(): StudyResult {
  const spread = (median: number) => ({ median, min: median, max: median });
  const series = LABELS.flatMap((label) => [1, 2].map((workers) => ({ label, workers, time: spread(100 / workers), speedup: spread(workers) })));
  return { cases: [{ name: 'primes', title: 'Primes', scaling: 'strong', metrics: [], series }] } as unknown as StudyResult;
}

test('legend labels are drawn whole and every series has a colour of its own', async () => {
  const charts = chartsFor(study());
  assert.ok(charts.length >= 2);
  for (const chart of charts) {
    const svg = await renderSvg(chart.spec);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const label of LABELS) assert.ok(texts.includes(label), `${chart.id}: "${label}" drawn whole (texts: ${texts.join(' | ')})`);
    assert.ok(!texts.some((t) => t.endsWith('…')), `${chart.id}: a label was cut: ${texts.join(' | ')}`);
    const scale = ((chart.spec.layer as { encoding?: { color?: { scale?: { scheme?: string } } } }[]).find((l) => l.encoding?.color)?.encoding?.color?.scale)?.scheme;
    // category10's ten hues are far apart; the default tableau10 has a teal and a green that read as one.
    assert.equal(scale, 'category10', chart.id);
  }
});
