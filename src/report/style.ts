/**
 * The reports' stylesheet: the study's, the FL report's and the profile report's pages all use it, so they look
 * alike (each page may append rules of its own). It left-aligns columns 1 and 3, the study's text columns.
 */
export const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1180px;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid #ddd;padding:.3em .5em;text-align:right;vertical-align:top}
td:first-child,th:first-child,td:nth-child(3){text-align:left}th{background:#f5f5f5}
.good{color:#176317;font-weight:600}.bad{color:#b00020;font-weight:600}small{color:#666}
.verdict{display:inline-block;padding:.05em .5em;border-radius:.8em;font-size:.85em;font-weight:600;white-space:nowrap}
.confirmed{background:#d9f2d9}.not-confirmed{background:#f8d7da}.mixed{background:#fff3cd}.not-measured{background:#e9ecef}.inconclusive{background:#e2e3f3}
.findings td{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1.5em}.chart{min-height:200px}
code{background:#f3f3f3;padding:0 .2em}`;
