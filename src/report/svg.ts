/** Standalone SVG files of a report's charts, rendered in Node by Vega's own headless view. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Chart } from './charts.js';

/** Renders one Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes `<dir>/<chart id>.svg` for every chart; returns the paths. */
export async function writeSvgs(charts: readonly Chart[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const chart of charts) {
    const path = join(dir, `${chart.id}.svg`);
    await writeFile(path, await renderSvg(chart.spec));
    paths.push(path);
  }
  return paths;
}
