/** Writes a finished FL run's HTML report and, optionally, its charts as standalone SVG files. */
import { writeSvgs } from '../../../report/svg.js';
import { buildReport, writeFileAtomic } from '../report.js';
import type { SimulationResult } from '../simulation.js';
import { flCharts } from './charts.js';
import { toFlHtml } from './page.js';

/** Where to write; either may be left out. */
export interface FlReportPaths {
  /** The HTML report. */
  readonly report?: string;
  /** A folder for `fl-accuracy.svg` and `fl-round-time.svg`. */
  readonly svgDir?: string;
}

/** Writes the files asked for; returns the SVG paths written (empty without `svgDir`). */
export async function writeFlReport(result: SimulationResult, paths: FlReportPaths): Promise<string[]> {
  const report = buildReport(result);
  const charts = flCharts(report);
  // Atomic like --json and --csv: a browser reloading the page never sees half of it.
  if (paths.report) writeFileAtomic(paths.report, toFlHtml(report, charts));
  return paths.svgDir ? writeSvgs(charts, paths.svgDir) : [];
}
