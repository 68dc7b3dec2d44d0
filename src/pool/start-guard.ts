/**
 * Deaths of workers that had not loaded the module yet: when they mean the module cannot load, and
 * how long to wait before starting the next worker.
 *
 * Once the module has loaded in some worker, it can load: a worker that dies while starting was
 * killed from outside (an OOM killer, an operator, a chaos test) or hit a passing fault, so it is
 * replaced, after a pause that doubles with each such death in a row ({@link FIRST_PAUSE_MS} up to
 * {@link MAX_PAUSE_MS}; a worker that loads ends the row) so a machine that kills every new process
 * is not flooded with them. Before the module has ever loaded there is no pause (the first load is
 * what everyone waits for); {@link MAX_START_FAILURES} deaths in a row mean it cannot (a module
 * that exits or crashes while loading). A kill from outside (SIGKILL, SIGTERM) is not the module's
 * fault and does not count, but such kills cannot keep the pool trying for longer than `loadTimeout`
 * from its first start.
 */
import type { ExitInfo } from './backends/types.js';
import { ModuleLoadError } from './errors.js';

const MAX_START_FAILURES = 3;
const FIRST_PAUSE_MS = 10;
const MAX_PAUSE_MS = 1000;

export class StartGuard {
  /** Some worker of this pool has loaded the module. */
  moduleLoaded = false;
  private failures = 0;
  private pauseMs = 0;
  private notBefore = 0;
  private timer: NodeJS.Timeout | undefined;
  private referenced = false;
  private firstStartAt: number | undefined;

  constructor(private readonly loadTimeoutMs: number) {}

  /** A worker loaded the module: deaths in a row start again from zero. */
  ready(): void {
    this.moduleLoaded = true;
    this.failures = 0;
    this.pauseMs = 0;
  }

  /** A worker died while starting; true when that means the module cannot load. */
  died(info: ExitInfo): boolean {
    if (this.loadNeverEnds(info)) return true;
    if (this.moduleLoaded) {
      this.pauseMs = this.pauseMs === 0 ? FIRST_PAUSE_MS : Math.min(MAX_PAUSE_MS, this.pauseMs * 2);
      this.notBefore = Date.now() + this.pauseMs;
      return false;
    }
    if (info.signal === 'SIGKILL' || info.signal === 'SIGTERM') return Date.now() - (this.firstStartAt ?? 0) > this.loadTimeoutMs;
    return ++this.failures >= MAX_START_FAILURES;
  }

  /** Why the module cannot load, after {@link died} said so. */
  error(module: string, info: ExitInfo): ModuleLoadError {
    if (this.loadNeverEnds(info)) {
      return new ModuleLoadError(module, {
        name: 'LoadNeverEnds',
        message: `the worker exited with code ${info.code} before the module finished loading: its top-level await never settled (or its top-level code exited)`,
      });
    }
    const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
    return new ModuleLoadError(module, {
      name: 'WorkerStartError',
      message: `workers repeatedly died before loading the module (the last one ${how})${info.reason ? ` (${info.reason})` : ''}`,
    });
  }

  /** The module did not load within `loadTimeout`, and had never loaded anywhere. */
  timeoutError(module: string, reason?: string): ModuleLoadError {
    const why = reason ? `: ${reason}` : '';
    return new ModuleLoadError(module, { name: 'LoadTimeout', message: `the module did not finish loading in ${this.loadTimeoutMs} ms (the pool's loadTimeout)${why}` });
  }

  /**
   * A worker that ends on its own with nothing left to do before the module loaded: its top-level await can
   * never settle (Node exits a process with 13 then, a thread with 0). That will not change on a retry.
   */
  private loadNeverEnds(info: ExitInfo): boolean {
    return !this.moduleLoaded && info.signal === null && (info.code === 13 || info.code === 0);
  }

  /** Whether a worker may start now; if not, `wake` is called once the pause is over. */
  mayStart(wake: () => void): boolean {
    const now = Date.now();
    const wait = this.notBefore - now;
    if (wait <= 0) {
      this.firstStartAt ??= now;
      return true;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        wake();
      }, wait);
      if (!this.referenced) this.timer.unref();
    }
    return false;
  }

  /** The pause keeps the process alive only while the pool has work (like the workers themselves). */
  setReferenced(referenced: boolean): void {
    this.referenced = referenced;
    if (referenced) this.timer?.ref();
    else this.timer?.unref();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
