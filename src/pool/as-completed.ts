/**
 * Completion-order iteration over many calls (Python's `as_completed`): every call is started
 * at once, and results are yielded as they settle. The first failure is thrown; leaving the loop
 * early, by `break` or by that throw, aborts the calls still pending.
 */

/** Starts one call for an item with the given signal. */
export type StartCall = (item: unknown, signal: AbortSignal) => Promise<unknown>;

type Settled = { ok: true; index: number; value: unknown } | { ok: false; error: unknown };

export async function* inCompletionOrder(
  items: Iterable<unknown>,
  start: StartCall,
  outer: AbortSignal | undefined,
): AsyncGenerator<{ index: number; value: unknown }> {
  const controller = new AbortController();
  const forward = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  const settled: Settled[] = [];
  let read = 0;
  let wake: (() => void) | undefined;
  let total = 0;
  for (const item of items) {
    const index = total++;
    start(item, controller.signal)
      .then(
        (value) => settled.push({ ok: true, index, value }),
        (error) => settled.push({ ok: false, error }),
      )
      .finally(() => wake?.());
  }
  try {
    for (let yielded = 0; yielded < total; yielded++) {
      while (read === settled.length) await new Promise<void>((resolve) => (wake = resolve));
      const next = settled[read++];
      if (!next.ok) throw next.error;
      yield { index: next.index, value: next.value };
    }
  } finally {
    outer?.removeEventListener('abort', forward);
    controller.abort(new Error('asCompleted() was stopped before every call finished'));
  }
}
