/** The HTML report of a `weft fl` run (`--report`, `--svg`), on the page shell of src/report/. */
export { ROUND_PHASES, accuracyChart, flCharts, roundTimeChart, roundTimeRows } from './charts.js';
export { toFlHtml } from './page.js';
export { configTable, failuresSection, roundsTable } from './tables.js';
export { writeFlReport, type FlReportPaths } from './write.js';
