/** The advice as `weft advise` prints it: recommendation, the path through the chart, the figures and how to reproduce them. */
import type { Advice } from './advisor.js';

export function adviceText(advice: Advice): string {
  const lines = [`Recommendation: ${advice.summary}`, '', 'Path through the chart:'];
  advice.path.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));
  lines.push('', "Measured by weft bench on this project's 2-core machine (run the command to measure yours):");
  for (const e of advice.evidence) lines.push(`  - ${e.claim}: ${e.figure}`, `      $ ${e.command}`);
  return lines.join('\n');
}
