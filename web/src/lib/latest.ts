/**
 * "Latest wins", the one mechanism the SPA uses wherever a newer request makes an older one moot:
 * the Studio's renders (LatestRunner), the Inference Studio's detections (LatestOnly), the command
 * builder's builds (createSettledRunner) and the worker pool's channels (workers/index.ts). Each
 * takes a Ticket per request from its Tickets; a ticket is current until a newer one is issued,
 * and its signal aborts then. The three schedules differ only in when a request starts:
 *
 * - LatestRunner: at once, one at a time; the newest waiting value runs next (a throttle).
 * - LatestOnly: after a debounce, one at a time; a reply that is no longer current is dropped.
 * - createSettledRunner: after a debounce, skipping a request equal to the one sent; a newer one
 *   aborts the one in flight and starts at once.
 */

/** One request's standing: `current()` until a newer ticket is issued, when `signal` aborts. */
export interface Ticket {
  readonly signal: AbortSignal;
  current(): boolean;
}

/** Issues tickets; only the newest is current. */
export class Tickets {
  private seq = 0;
  private controller: AbortController | null = null;

  issue(): Ticket {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const mine = ++this.seq;
    return { signal: controller.signal, current: () => mine === this.seq };
  }

  /** No ticket is current any more (the one out is aborted). */
  invalidate(): void {
    this.controller?.abort();
    this.controller = null;
    this.seq++;
  }
}

/**
 * Runs the latest of a stream of values, one at a time. A value pushed while a run is going waits
 * (only the newest waiting one is kept) and the running one is told through its signal, so it can
 * give way where that is cheap (a server render not yet sent, a job to cancel) or finish (a render
 * in the workers, whose picture is a frame of the drag). A slider drag so repaints as fast as
 * renders come back (a throttle, not a debounce), never piles work up, and always ends on the
 * last value.
 */
export class LatestRunner<T> {
  private readonly tickets = new Tickets();
  private running: Ticket | null = null;
  private waiting: { value: T } | null = null;

  constructor(
    private readonly run: (value: T, signal: AbortSignal) => Promise<void>,
    /** Called when the last run ends with nothing waiting. */
    private readonly onIdle: () => void = () => {},
  ) {}

  push(value: T): void {
    if (this.running) {
      this.waiting = { value };
      this.tickets.invalidate(); // the running one is told through its signal
      return;
    }
    this.start(value);
  }

  get busy(): boolean {
    return this.running !== null;
  }

  private start(value: T): void {
    const ticket = this.tickets.issue();
    this.running = ticket;
    const settle = () => {
      this.running = null;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.start(next.value);
      else this.onIdle();
    };
    // A run reports its own errors; whatever escapes must not stop the values after it.
    this.run(value, ticket.signal).then(settle, settle);
  }
}

// --- the Inference Studio: debounced, one at a time, stale replies dropped -----------------------

export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface LatestOnlyStats {
  /** Requests handed to `run`. */
  sent: number;
  /** Replies thrown away because newer params had been asked for by the time they came back. */
  dropped: number;
  /** The most requests ever running at once (the E2E test reads it: it must stay 1). */
  maxInFlight: number;
}

/**
 * Sends the latest of a stream of requests, debounced, with at most one in flight. While one runs,
 * newer requests wait (only the newest is kept); when it returns, its reply is delivered only if
 * nothing newer was asked for in the meantime, then the waiting one goes out. A slider drag so
 * costs one request per pause and never piles work up on the server; a slow reply can never paint
 * over a newer one.
 */
export class LatestOnly<Q, R> {
  private readonly tickets = new Tickets();
  private timer: unknown = null;
  private running = false;
  private inFlight = 0;
  private waiting: { q: Q; ticket: Ticket } | null = null;
  private closed = false;
  readonly stats: LatestOnlyStats = { sent: 0, dropped: 0, maxInFlight: 0 };

  constructor(
    private readonly run: (q: Q) => Promise<R>,
    private readonly handlers: {
      onResult: (r: R, q: Q) => void;
      onError: (e: unknown, q: Q) => void;
      onBusy?: (busy: boolean) => void;
    },
    private readonly delayMs: number,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Ask for `q` once the requests have paused for the debounce delay. */
  request(q: Q): void {
    const ticket = this.tickets.issue();
    this.cancelTimer();
    this.handlers.onBusy?.(true); // waiting out the debounce counts as busy: an answer is coming
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.submit(q, ticket);
    }, this.delayMs);
  }

  /** Ask for `q` without waiting (a new image or checkpoint is not a drag). */
  requestNow(q: Q): void {
    this.cancelTimer();
    this.submit(q, this.tickets.issue());
  }

  /** Forget everything asked for: a reply still out is dropped. */
  cancel(): void {
    this.cancelTimer();
    this.waiting = null;
    this.tickets.invalidate();
    if (!this.running && !this.closed) this.handlers.onBusy?.(false);
  }

  dispose(): void {
    this.cancel();
    this.closed = true;
  }

  get busy(): boolean {
    return this.running || this.waiting !== null || this.timer !== null;
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private submit(q: Q, ticket: Ticket): void {
    if (this.closed) return;
    if (this.running) {
      this.waiting = { q, ticket };
      return;
    }
    this.start(q, ticket);
  }

  private start(q: Q, ticket: Ticket): void {
    this.running = true;
    this.inFlight++;
    this.stats.sent++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    this.handlers.onBusy?.(true);
    const settle = (deliver: () => void) => {
      this.running = false;
      this.inFlight--;
      if (ticket.current() && !this.closed) deliver();
      else this.stats.dropped++;
      const next = this.waiting;
      this.waiting = null;
      if (next && !this.closed) this.start(next.q, next.ticket);
      else if (!this.closed) this.handlers.onBusy?.(this.timer !== null);
    };
    let promise: Promise<R>;
    try {
      promise = this.run(q);
    } catch (e) {
      promise = Promise.reject(e);
    }
    promise.then(
      (r) => settle(() => this.handlers.onResult(r, q)),
      (e: unknown) => settle(() => this.handlers.onError(e, q)),
    );
  }
}

// --- the command builder: one build per settled change ------------------------------------------

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
  const tickets = new Tickets();

  const stopTimer = () => {
    if (timer !== null) clear(timer);
    timer = null;
  };

  const send = (req: Req, key: string) => {
    timer = null;
    const ticket = tickets.issue(); // aborts the one in flight
    sentKey = key;
    opts.run(req, ticket.signal).then(
      (res) => {
        if (ticket.current()) opts.onResult(res, req, key); // else a newer request owns the view
      },
      (error: unknown) => {
        if (ticket.current() && !ticket.signal.aborted) opts.onError(error, req, key);
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
      tickets.invalidate();
      sentKey = null;
    },
  };
}
