/** A CPU profile of the calling thread (a profiled program's main thread, or a profiled pool worker), through the inspector. */
import { Session } from 'node:inspector';
import { keepSourceMaps, toSourcePositions } from './source-positions.js';
import type { CpuProfile } from './summary.js';

/** A running profiler: `stop()` ends it and returns the profile. */
export interface RunningProfiler {
  stop(): CpuProfile | null;
}

/** Starts sampling this thread every `intervalUs` microseconds. */
export function startThreadProfiler(intervalUs = 500): RunningProfiler {
  keepSourceMaps();
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  session.post('Profiler.start');
  let stopped = false;
  return {
    stop() {
      if (stopped) return null;
      stopped = true;
      let profile: CpuProfile | null = null;
      // A session on its own thread answers synchronously, so this also works in an 'exit' handler.
      session.post('Profiler.stop', (error, result) => {
        if (!error) profile = toSourcePositions(result.profile as unknown as CpuProfile);
      });
      session.disconnect();
      return profile;
    },
  };
}
