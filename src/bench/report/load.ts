/** How the reports show the CPU other processes took while the study ran. */
import type { StudyResult } from '../result.js';
import { BUSY_CORES } from '../load.js';

/** Other processes' CPU use while a series ran, e.g. `'0.93 busy ×3'`: cores, "busy" past the threshold, tries. */
export function formatLoad(s: { load?: { cores: number }; busy?: boolean; tries?: number }): string {
  if (!s.load) return '-';
  return `${s.load.cores.toFixed(2)}${s.busy ? ' busy' : ''}${(s.tries ?? 1) > 1 ? ` ×${s.tries}` : ''}`;
}

/**
 * One line on the machine's other load: "others" in the tables is the average number of cores other processes
 * took while a series ran; a series past the threshold ran again, and is marked busy if it stayed so.
 */
export function loadNote(result: StudyResult): string {
  const all = result.cases.flatMap((c) => c.series).filter((s) => s.load);
  if (all.length === 0) return 'Other processes\' CPU use was not measured (needs Linux /proc).';
  const busy = all.filter((s) => s.busy).length;
  const retried = all.filter((s) => (s.tries ?? 1) > 1).length;
  const peak = Math.max(...all.map((s) => s.load!.cores));
  return (
    `Other processes took up to ${peak.toFixed(2)} cores while a series ran ("others" below; from /proc/stat less weft's own processes). ` +
    (busy > 0
      ? `${busy} series were busy (others above ${BUSY_CORES} cores${retried > 0 ? `; ${retried} of them ran again first` : ''}): marked busy, and the findings resting on their times are inconclusive.`
      : retried > 0
        ? `${retried} series ran again because of it; no kept run was busy.`
        : `No series was busy (others above ${BUSY_CORES} cores, and at least 50 ms of CPU in all).`)
  );
}
