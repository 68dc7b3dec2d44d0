/** Writes a study's files: JSON, CSV, the HTML report and the SVG charts. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeSvgs } from '../../report/svg.js';
import type { StudyResult } from '../result.js';
import { chartsFor } from './charts.js';
import { toCsv } from './csv.js';
import { toHtml } from './html.js';
import { toJson } from './json.js';

/** Where to write; anything not given goes into `out` under a default name. */
export interface OutputPaths {
  out: string;
  json?: string;
  csv?: string;
  report?: string;
  /** Folder of the SVG files; default `<out>/charts`. */
  svgDir?: string;
}

/** The absolute paths written. */
export interface WrittenFiles {
  out: string;
  json: string;
  csv: string;
  report: string;
  svgs: string[];
}

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

export async function writeResults(result: StudyResult, paths: OutputPaths): Promise<WrittenFiles> {
  const out = resolve(paths.out);
  const files = {
    out,
    json: resolve(paths.json ?? join(out, 'results.json')),
    csv: resolve(paths.csv ?? join(out, 'results.csv')),
    report: resolve(paths.report ?? join(out, 'report.html')),
  };
  const charts = chartsFor(result);
  await put(files.json, toJson(result));
  await put(files.csv, toCsv(result));
  await put(files.report, toHtml(result, charts));
  const svgs = await writeSvgs(charts, resolve(paths.svgDir ?? join(out, 'charts')));
  return { ...files, svgs };
}
