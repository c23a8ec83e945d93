/**
 * Sends a request once the input has settled: the rule behind "one build per settled change".
 *
 * - `schedule(req)` (re)starts a `delayMs` timer; only the last request of a burst is sent.
 * - A request equal (same JSON) to the one already sent is not sent again: a re-render, React's
 *   strict-mode double effect, or a value changed and changed back within the delay cost nothing.
 * - Sending a new request aborts the one in flight, and a reply that is not for the latest request
 *   is dropped, so an old answer can never overwrite a newer one.
 *
 * It holds no React state: the page feeds it from an effect keyed on the request's JSON and gets
 * results through callbacks, which only set state the request does not depend on (no loop).
 */
export interface SettledRunnerOptions<Req, Res> {
  delayMs: number;
  run: (req: Req, signal: AbortSignal) => Promise<Res>;
  /** The reply to the latest request, with that request and its key (its JSON). */
  onResult: (res: Res, req: Req, key: string) => void;
  /** The latest request failed (aborted and superseded ones never reach here). */
  onError: (error: unknown, req: Req, key: string) => void;
  /** For tests: timers to use instead of the global ones. */
  timers?: { set: (fn: () => void, ms: number) => unknown; clear: (handle: unknown) => void };
}

export interface SettledRunner<Req> {
  schedule: (req: Req) => void;
  /** Forget everything: pending timer, request in flight, what was sent. */
  cancel: () => void;
}

export function keyOf(req: unknown): string {
  return JSON.stringify(req);
}

export function createSettledRunner<Req, Res>(opts: SettledRunnerOptions<Req, Res>): SettledRunner<Req> {
  const set = opts.timers?.set ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clear = opts.timers?.clear ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let timer: unknown = null;
  let sentKey: string | null = null;
  let inFlight: AbortController | null = null;
  let seq = 0;

  const stopTimer = () => {
    if (timer !== null) clear(timer);
    timer = null;
  };

  const send = (req: Req, key: string) => {
    timer = null;
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    sentKey = key;
    const mine = ++seq;
    opts.run(req, controller.signal).then(
      (res) => {
        if (mine !== seq) return; // a newer request owns the view
        inFlight = null;
        opts.onResult(res, req, key);
      },
      (error: unknown) => {
        if (mine !== seq || controller.signal.aborted) return;
        inFlight = null;
        opts.onError(error, req, key);
      },
    );
  };

  return {
    schedule(req) {
      const key = keyOf(req);
      stopTimer();
      // Back to what was last sent (or never left it): its answer is, or will be, the right one.
      if (key === sentKey) return;
      timer = set(() => send(req, key), opts.delayMs);
    },
    cancel() {
      stopTimer();
      inFlight?.abort();
      inFlight = null;
      sentKey = null;
      seq++;
    },
  };
}
