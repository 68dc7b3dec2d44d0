/**
 * The shared report module (src/report/) on its own: escaping, the table helper, the page shell that the study, the FL
 * report and the profile report all build on, and SVG export of a chart spec.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baseSpec, type Chart } from '../../src/report/charts.js';
import { esc, scriptSafe } from '../../src/report/escape.js';
import { chartGrid, page } from '../../src/report/page.js';
import { STYLE } from '../../src/report/style.js';
import { renderSvg, writeSvgs } from '../../src/report/svg.js';
import { table } from '../../src/report/table.js';

const bars: Chart = {
  id: 'bars',
  title: 'Bars',
  spec: { ...baseSpec('Two bars', [{ k: 'a', v: 1 }, { k: 'b', v: 3 }]), mark: 'bar', encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } } },
};

describe('src/report', () => {
  it('escapes text for HTML and keeps code from closing its <script>', () => {
    assert.equal(esc(`<a href="x">Tom & 'Jerry'</a>`), '&#60;a href=&#34;x&#34;&#62;Tom &#38; &#39;Jerry&#39;&#60;/a&#62;');
    assert.equal(scriptSafe('"</script><!-- </SCRIPT>"'), '"<\\/script><\\!-- <\\/SCRIPT>"');
  });

  it('builds a table: header text escaped, cells taken as HTML, an optional class', () => {
    assert.equal(table(['a<b'], [['<i>1</i>']]), '<table><thead><tr><th>a&#60;b</th></tr></thead><tbody><tr><td><i>1</i></td></tr></tbody></table>');
    assert.match(table(['x'], [], 'num'), /^<table class="num"><thead>.*<tbody><\/tbody><\/table>$/);
  });

  it('wraps a body in the page shell: title, stylesheet plus extra rules, embedded data, chart scripts', () => {
    const html = page({ title: 'R & D', style: '.extra{}', body: `<h1>hello</h1>\n${chartGrid([bars])}`, data: { note: '</script>' }, charts: [bars] });
    assert.ok(html.startsWith('<!doctype html>\n<html lang="en"><head>'));
    assert.ok(html.endsWith('</body></html>\n'));
    assert.ok(html.includes(`<title>R &#38; D</title><style>${STYLE}.extra{}</style></head>\n<body>\n<h1>hello</h1>`));
    assert.ok(html.includes('<div class="charts"><div class="chart" id="chart-bars" data-chart="bars"></div></div>'));
    const data = /<script type="application\/json" id="results">(.*?)<\/script>/s.exec(html);
    assert.deepEqual(JSON.parse(data![1].replace(/<\\\//g, '</')), { note: '</script>' });
    const specs = /^const specs = (.*);$/m.exec(html);
    assert.deepEqual(JSON.parse(specs![1]), { bars: bars.spec });
    // The three libraries are inlined, so the page draws its charts offline.
    assert.ok(html.includes('vegaEmbed('));
    assert.equal(html.match(/<script>/g)?.length, 4);
  });

  it('renders a chart to SVG and writes one file per chart', async () => {
    const svg = await renderSvg(bars.spec);
    assert.match(svg, /^<svg[^>]*>/);
    assert.ok(svg.includes('Two bars'));
    const dir = await mkdtemp(join(tmpdir(), 'weft-report-svg-'));
    try {
      const paths = await writeSvgs([bars], dir);
      assert.deepEqual(paths, [join(dir, 'bars.svg')]);
      assert.equal(await readFile(paths[0], 'utf8'), svg);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
