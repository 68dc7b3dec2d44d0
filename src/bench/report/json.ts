/** The JSON file: the whole {@link StudyResult}, machine and findings included. */
import type { StudyResult } from '../result.js';

export function toJson(result: StudyResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
