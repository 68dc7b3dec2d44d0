/**
 * What a report's chart is: a Vega-Lite spec with an id and a title. The same spec is drawn in the page (see
 * page.ts) and rendered to a standalone SVG (see svg.ts).
 */

/** A chart: a file-safe id, a title, and its Vega-Lite spec. */
export interface Chart {
  id: string;
  /** The study case it belongs to (ids alone are ambiguous: 'fl-time' vs 'fl-cnn-time'). */
  caseName?: string;
  title: string;
  spec: Record<string, unknown>;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** A chart's default width in pixels (wider charts add to it). */
export const WIDTH = 460;
const HEIGHT = 280;

/** The common part of every chart's spec (schema, size, font) around inline data rows. */
export function baseSpec(title: string, values: unknown[]): Record<string, unknown> {
  return { $schema: SCHEMA, title, width: WIDTH, height: HEIGHT, data: { values }, config: { font: 'sans-serif' } };
}
