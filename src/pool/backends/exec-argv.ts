/**
 * The parent's Node flags that a worker should inherit: loaders (tsx), heap and stack settings,
 * but not flags that belong to the parent alone (test runner, watch mode, a debugger port).
 */
const PARENT_ONLY = [/^--test/, /^--watch/, /^--inspect/, /^--debug/, /^--experimental-test/, /^--prof$/, /^--cpu-prof/, /^--heap-prof/];

export function inheritedExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (PARENT_ONLY.some((re) => re.test(flag))) {
      // `--flag value` forms: skip the value too.
      if (!flag.includes('=') && i + 1 < argv.length && !argv[i + 1].startsWith('-')) i++;
      continue;
    }
    out.push(flag);
  }
  return out;
}
