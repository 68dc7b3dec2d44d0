/**
 * The parent's Node flags that a worker should inherit: loaders (tsx), heap and stack settings,
 * but not flags that belong to the parent alone (test runner, watch mode, a debugger port).
 */
const PARENT_ONLY = [
  /^--test/, /^--watch/, /^--inspect/, /^--debug/, /^--experimental-test/, /^--prof$/, /^--cpu-prof/, /^--heap-prof/,
  // The parent's own script given on the command line must not run again in a worker.
  /^(-e|--eval|-p|--print|-i|--interactive|-c|--check|--input-type)(=|$)/,
];
/** Flags whose value is the next argument (only those we drop need listing). */
const TAKES_VALUE = /^(-e|--eval|-p|--print|--inspect-port|--cpu-prof-dir|--cpu-prof-name|--heap-prof-dir|--watch-path|--test-name-pattern|--test-reporter|--test-reporter-destination|--test-concurrency|--test-timeout)$/;

export function inheritedExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (PARENT_ONLY.some((re) => re.test(flag))) {
      if (TAKES_VALUE.test(flag)) i++;
      continue;
    }
    out.push(flag);
  }
  return out;
}
