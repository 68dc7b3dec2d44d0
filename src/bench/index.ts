/**
 * The study: the free-threading talk's benchmark cases run on weft (sequential, event loop,
 * worker threads, child processes, shared memory) beside their CPython peers, verified, with
 * tables, JSON/CSV, an HTML report, SVG charts and findings. `weft bench` is its command line.
 */
export { runStudy, type StudyOptions, type StudyEvent } from './runner.js';
export type { Finding, StudyResult, Verdict } from './result.js';
export { CASES, findCase } from './cases/index.js';
export { VARIANTS, VARIANT_NAMES, type VariantName, type VariantInfo } from './variants.js';
export { defineCase } from './types.js';
export type { BenchCase, AnyCase, SeriesSpec, SeriesResult, CaseResult, CheckResult, Prepared, PrepareContext, SizeName, Spread, MemoryUse } from './types.js';
export { detectPython, DEFAULT_PYTHON, type PythonInfo } from './python/detect.js';
export { evaluateFindings } from './report/findings.js';
export { writeResults, type OutputPaths, type WrittenFiles } from './report/write.js';
export { terminalReport } from './report/terminal.js';
export { defaultWorkers, parseWorkers, parseVariants, selectCases } from './options.js';
