/**
 * Runs the latest of a stream of values, one at a time. A value pushed while a run is going waits
 * (only the newest waiting one is kept) and the running one is told through its signal, so it can
 * give way where that is cheap (a server render not yet sent, a job to cancel) or finish (a render
 * in the workers, whose picture is a frame of the drag). A slider drag so repaints as fast as
 * renders come back (a throttle, not a debounce), never piles work up, and always ends on the
 * last value.
 */
export class LatestRunner<T> {
  private running: AbortController | null = null;
  private waiting: { value: T } | null = null;

  constructor(
    private readonly run: (value: T, signal: AbortSignal) => Promise<void>,
    /** Called when the last run ends with nothing waiting. */
    private readonly onIdle: () => void = () => {},
  ) {}

  push(value: T): void {
    if (this.running) {
      this.waiting = { value };
      this.running.abort();
      return;
    }
    this.start(value);
  }

  get busy(): boolean {
    return this.running !== null;
  }

  private start(value: T): void {
    const controller = new AbortController();
    this.running = controller;
    const settle = () => {
      this.running = null;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.start(next.value);
      else this.onIdle();
    };
    // A run reports its own errors; whatever escapes must not stop the values after it.
    this.run(value, controller.signal).then(settle, settle);
  }
}
