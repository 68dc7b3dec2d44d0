/**
 * The parent's Node flags that a worker should inherit: loaders (tsx), heap and stack settings,
 * but not flags that belong to the parent alone (test runner, watch mode, a debugger port, its
 * own `-e` script). Worker threads accept far fewer flags than processes (V8 and per-process
 * options make `new Worker` throw), so they inherit only the module-loading ones.
 */
const PARENT_ONLY = [
  /^--test/, /^--watch/, /^--inspect/, /^--debug/, /^--experimental-test/, /^--prof$/, /^--cpu-prof/, /^--heap-prof/,
  // The parent's own script given on the command line must not run again in a worker.
  /^(-e|--eval|-p|--print|-pe|-i|--interactive|-c|--check|--input-type)(=|$)/,
];
/** Node flags whose value may be the next argument (`--import tsx`, `-r x`), as opposed to `--flag=value`. */
export const NODE_FLAG_WITH_VALUE = /^(-e|--eval|-p|--print|-pe|-r|--require|--import|--loader|--experimental-loader|-C|--conditions|--inspect-port|--cpu-prof-dir|--cpu-prof-name|--heap-prof-dir|--watch-path|--test-name-pattern|--test-reporter|--test-reporter-destination|--test-concurrency|--test-timeout|--env-file|--env-file-if-exists|--title|--redirect-warnings|--diagnostic-dir|--report-dir|--input-type)$/;
/** What a worker thread may inherit: how modules load, and warnings. */
const THREAD_SAFE = /^(-r|--require|--import|--loader|--experimental-loader|-C|--conditions|--enable-source-maps|--no-warnings|--no-deprecation|--trace-warnings|--experimental-[a-z-]+)(=|$)/;

/** Parent flags for a child process. */
export function inheritedExecArgv(): string[] {
  return filterFlags((flag) => !PARENT_ONLY.some((re) => re.test(flag)));
}

/** Parent flags for a worker thread. */
export function inheritedThreadExecArgv(): string[] {
  return filterFlags((flag) => THREAD_SAFE.test(flag) && !PARENT_ONLY.some((re) => re.test(flag)));
}

/**
 * `process.execArgv` holds only Node's options and their values (never the script), so an entry that
 * does not start with a dash is the value of the flag before it (`--cpu-prof-interval 50`,
 * `--max-old-space-size 512`), whatever the flag; the list above also catches values that start with one.
 */
function filterFlags(keep: (flag: string) => boolean): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = argv[i + 1];
    const hasValue = next !== undefined && !flag.includes('=') && (NODE_FLAG_WITH_VALUE.test(flag) || !next.startsWith('-'));
    if (keep(flag)) {
      out.push(flag);
      if (hasValue) out.push(argv[i + 1]);
    }
    if (hasValue) i++;
  }
  return out;
}
