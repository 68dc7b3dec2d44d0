/**
 * One abort listener per signal, however many tasks share it. A `map` over 10,000 items with one
 * signal would otherwise add 10,000 listeners to it (and Node warns past 10).
 */
export class SignalWatcher<T> {
  private readonly watched = new Map<AbortSignal, { members: Set<T>; listener: () => void }>();

  constructor(private readonly onAbort: (member: T, reason: unknown) => void) {}

  /** Calls `onAbort(member)` if `signal` aborts; returns the function that stops watching. */
  watch(signal: AbortSignal, member: T): () => void {
    let entry = this.watched.get(signal);
    if (!entry) {
      const members = new Set<T>();
      const listener = (): void => {
        this.watched.delete(signal);
        for (const m of members) this.onAbort(m, signal.reason);
      };
      entry = { members, listener };
      this.watched.set(signal, entry);
      signal.addEventListener('abort', listener, { once: true });
    }
    entry.members.add(member);
    const current = entry;
    return () => {
      current.members.delete(member);
      if (current.members.size === 0 && this.watched.get(signal) === current) {
        this.watched.delete(signal);
        signal.removeEventListener('abort', current.listener);
      }
    };
  }
}
