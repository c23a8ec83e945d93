/**
 * Batches client events to POST /api/metrics without slowing the UI: `record` only pushes onto a
 * bounded buffer; sending happens on a timer or when a batch is full (never inside `record`'s
 * call stack), and when the page is hidden the rest goes out with sendBeacon, which outlives it.
 */
import { SERVER_MAX_BATCH, type ClientEvent, type EventBatch } from './events';

export type Transport = 'fetch' | 'beacon';
/** Sends one batch; resolves true when the server took it. */
export type Sender = (batch: EventBatch, transport: Transport) => Promise<boolean> | boolean;

export interface BatcherOptions {
  send: Sender;
  /** Flush this often while events are waiting. */
  flushMs?: number;
  /** Flush as soon as this many are waiting. */
  maxBatch?: number;
  /** Events kept at most; past it the oldest are dropped (and counted). */
  maxBuffer?: number;
  sessionId?: string;
  now?: () => number;
}

export class TelemetryBatcher {
  private buffer: ClientEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffer: number;
  private readonly now: () => number;
  /** Events thrown away because the buffer was full or the server kept refusing. */
  dropped = 0;
  sent = 0;

  constructor(private readonly options: BatcherOptions) {
    this.flushMs = options.flushMs ?? 2000;
    this.maxBatch = Math.min(options.maxBatch ?? 50, SERVER_MAX_BATCH);
    this.maxBuffer = options.maxBuffer ?? 2000;
    this.now = options.now ?? (() => Date.now());
  }

  get pending(): number {
    return this.buffer.length;
  }

  record(event: ClientEvent): void {
    this.buffer.push(event.ts === undefined ? { ...event, ts: this.now() } : event);
    if (this.buffer.length > this.maxBuffer) {
      const excess = this.buffer.length - this.maxBuffer;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
    // A full batch goes out on the next tick; otherwise the timer collects more first.
    this.schedule(this.buffer.length >= this.maxBatch ? 0 : this.flushMs);
  }

  /** Send what is waiting now (one batch at a time, so order is kept). */
  async flush(): Promise<void> {
    this.clearTimer();
    if (this.inFlight || this.buffer.length === 0) return;
    const events = this.buffer.splice(0, this.maxBatch);
    this.inFlight = true;
    let ok = false;
    try {
      ok = await this.options.send(this.batch(events), 'fetch');
    } catch {
      ok = false;
    } finally {
      this.inFlight = false;
    }
    if (ok) {
      this.sent += events.length;
    } else {
      // Put them back in front for the next try, within the bound; retry after a full interval.
      this.buffer.unshift(...events);
      const excess = this.buffer.length - this.maxBuffer;
      if (excess > 0) {
        this.buffer.splice(0, excess);
        this.dropped += excess;
      }
      this.schedule(this.flushMs);
      return;
    }
    if (this.buffer.length > 0) this.schedule(this.buffer.length >= this.maxBatch ? 0 : this.flushMs);
  }

  /** The page is going away: hand everything to sendBeacon in server-sized batches. */
  flushOnHide(): void {
    this.clearTimer();
    while (this.buffer.length > 0) {
      const events = this.buffer.splice(0, SERVER_MAX_BATCH);
      const accepted = this.options.send(this.batch(events), 'beacon');
      if (accepted === false) this.dropped += events.length;
      else this.sent += events.length;
    }
  }

  dispose(): void {
    this.clearTimer();
  }

  private batch(events: ClientEvent[]): EventBatch {
    return this.options.sessionId ? { session_id: this.options.sessionId, events } : { events };
  }

  private schedule(ms: number): void {
    if (this.timer !== null) {
      if (ms > 0) return; // an earlier flush is already due
      this.clearTimer();
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
