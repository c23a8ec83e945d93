/** The Inference Studio's pure logic: no DOM, no fetch, so Vitest covers it directly. */
import type { JsonSchema } from '../../api/client';
import type { CheckpointEntry, Detection, ImageSize, Point } from '../../api/inference';

// --- checkpoint search ------------------------------------------------------------------------

/**
 * The checkpoints matching a search, ready ones first (then in the server's order). Every word of
 * the query must appear, in any order and case, in the name, the path or the profile name, so
 * "ppocr det" and "v4 demo" both find the PP-OCRv4 detector.
 */
export function filterCheckpoints(entries: CheckpointEntry[], query: string): CheckpointEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = entries.filter((e) => {
    const hay = `${e.display_name} ${e.checkpoint_path} ${e.profile?.name ?? ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const rank = (e: CheckpointEntry) => (e.status === 'ready' ? 0 : 1);
  return hits.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map(({ e }) => e);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

// --- drawing ----------------------------------------------------------------------------------

/**
 * A polygon in original image pixels mapped onto the image as displayed. The overlay is drawn in
 * screen pixels (not through an SVG viewBox) so stroke widths and score labels keep their size
 * whatever the zoom.
 */
export function scalePoints(points: Point[], image: ImageSize, shown: ImageSize): Point[] {
  if (image.width <= 0 || image.height <= 0) return [];
  const sx = shown.width / image.width;
  const sy = shown.height / image.height;
  return points.map(([x, y]) => [x * sx, y * sy]);
}

/** SVG `points` attribute text, one decimal: sub-pixel precision is invisible at screen scale. */
export function svgPoints(points: Point[]): string {
  return points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}

/** Where a polygon's score label goes: above its top-left-most corner, kept inside the picture. */
export function labelAnchor(points: Point[], shown: ImageSize, labelHeight = 12): Point {
  if (points.length === 0) return [0, labelHeight];
  let best = points[0];
  for (const p of points) if (p[0] + p[1] < best[0] + best[1]) best = p;
  const x = Math.min(Math.max(best[0], 0), Math.max(shown.width - 28, 0));
  const y = best[1] - 2 < labelHeight ? best[1] + labelHeight + 2 : best[1] - 2;
  return [x, Math.min(y, shown.height)];
}

// --- export -----------------------------------------------------------------------------------

export interface ReceiptWord {
  text?: string;
  textScore?: number;
  points: Point[];
  score: number;
}

export interface ReceiptPredictions {
  images: Record<string, { words: Record<string, ReceiptWord> }>;
}

/**
 * The detections of one image in the receipt competition's JSON, exactly as
 * `ocr-playground detect` writes it (ids "0", "1", ... in the server's order, points to 0.1 px,
 * score to 4 decimals), so a download from the page and a CLI run can be evaluated the same way.
 */
export function predictionsJson(imageName: string, detections: Detection[]): ReceiptPredictions {
  const words: Record<string, ReceiptWord> = {};
  detections.forEach((d, i) => {
    words[String(i)] = {
      points: d.points.map(([x, y]) => [round(x, 1), round(y, 1)]),
      score: round(d.score, 4),
      ...(d.text != null ? { text: d.text, textScore: round(d.textScore ?? 0, 4) } : {}),
    };
  });
  return { images: { [imageName]: { words } } };
}

/** The download's file name: the image's stem, then `-predictions.json`. */
export function predictionsFileName(imageName: string): string {
  const base = imageName.split('/').pop() ?? imageName;
  const stem = base.replace(/\.[^.]+$/, '') || 'image';
  return `${stem}-predictions.json`;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

// --- threshold controls -----------------------------------------------------------------------

export interface ThresholdField {
  name: string;
  kind: 'slider' | 'enum' | 'boolean';
  description: string;
  default: unknown;
  integer: boolean;
  min: number;
  max: number;
  step: number;
  options: string[];
}

/**
 * One control per property of the detection schema. Sliders get a range a hand can use: the
 * schema's limits, but a bound far beyond the default (maxCandidates ≤ 100000, minSize ≤ 1000) is
 * brought in to 10 × the default, and an exclusive minimum (unclipRatio > 0) starts one step in,
 * so no position of the slider is a value the server refuses.
 */
export function thresholdFields(schema: JsonSchema): ThresholdField[] {
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => {
    const s = raw.anyOf?.find((a) => a.type !== 'null') ?? raw;
    const base = { name, description: raw.description ?? '', default: raw.default, integer: false, min: 0, max: 1, step: 0.01, options: [] };
    if (s.enum) return { ...base, kind: 'enum', options: s.enum.map(String) };
    if (s.type === 'boolean') return { ...base, kind: 'boolean' };
    const integer = s.type === 'integer';
    const dflt = typeof raw.default === 'number' ? raw.default : 0;
    const lo = s.minimum ?? s.exclusiveMinimum ?? 0;
    let hi = s.maximum ?? s.exclusiveMaximum ?? Math.max(1, dflt * 10);
    if (dflt > 0 && hi > dflt * 20) hi = dflt * 10;
    const step = integer ? 1 : niceStep(hi - lo);
    const min = s.exclusiveMinimum !== undefined && s.minimum === undefined ? lo + step : lo;
    return { ...base, kind: 'slider', integer, min, max: hi, step };
  });
}

/** About a hundredth of the range, as a power of ten (0.01 for [0, 1], 0.1 for (0, 10]). */
function niceStep(range: number): number {
  return range > 0 ? 10 ** Math.floor(Math.log10(range / 100)) : 0.01;
}

export function thresholdDefaults(fields: ThresholdField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, f.default]));
}

/** A slider's value as text, with as many decimals as its step shows. */
export function formatValue(value: unknown, field: ThresholdField): string {
  if (typeof value !== 'number') return String(value);
  const decimals = field.integer ? 0 : Math.max(0, -Math.floor(Math.log10(field.step)));
  return value.toFixed(decimals);
}

// --- one request at a time, latest wins ---------------------------------------------------------

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
  private seq = 0;
  private timer: unknown = null;
  private running = false;
  private inFlight = 0;
  private waiting: { q: Q; seq: number } | null = null;
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
    const seq = ++this.seq;
    this.cancelTimer();
    this.handlers.onBusy?.(true); // waiting out the debounce counts as busy: an answer is coming
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.submit(q, seq);
    }, this.delayMs);
  }

  /** Ask for `q` without waiting (a new image or checkpoint is not a drag). */
  requestNow(q: Q): void {
    this.cancelTimer();
    this.submit(q, ++this.seq);
  }

  /** Forget everything asked for: a reply still out is dropped. */
  cancel(): void {
    this.cancelTimer();
    this.waiting = null;
    this.seq++;
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

  private submit(q: Q, seq: number): void {
    if (this.closed) return;
    if (this.running) {
      this.waiting = { q, seq };
      return;
    }
    this.start(q, seq);
  }

  private start(q: Q, seq: number): void {
    this.running = true;
    this.inFlight++;
    this.stats.sent++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    this.handlers.onBusy?.(true);
    const settle = (deliver: () => void) => {
      this.running = false;
      this.inFlight--;
      if (seq === this.seq && !this.closed) deliver();
      else this.stats.dropped++;
      const next = this.waiting;
      this.waiting = null;
      if (next && !this.closed) this.start(next.q, next.seq);
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

// --- text -------------------------------------------------------------------------------------

/**
 * The detections that carry text, as printed lines in reading order: lines top to bottom, boxes left
 * to right within a line. Positions are measured along the page's own axes (turned by the median
 * slant of the boxes' top edges), so a photo taken at an angle still groups an item with its price.
 * Two boxes are on one line when their centres are closer across the line than half the taller one.
 */
export function textLines(detections: Detection[]): number[][] {
  const read = detections.map((d, i) => ({ d, i })).filter(({ d }) => d.text != null && d.text !== '');
  const slants = read
    .map(({ d }) => Math.atan2(d.points[1][1] - d.points[0][1], d.points[1][0] - d.points[0][0]))
    .sort((a, b) => a - b);
  const angle = slants.length ? slants[Math.floor(slants.length / 2)] : 0;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const boxes = read
    .map(({ d, i }) => {
      const along = d.points.map(([x, y]) => x * cos + y * sin);
      const across = d.points.map(([x, y]) => -x * sin + y * cos);
      const top = Math.min(...across);
      const bottom = Math.max(...across);
      return { i, x: Math.min(...along), mid: (top + bottom) / 2, height: bottom - top };
    })
    .sort((a, b) => a.mid - b.mid);
  const lines: (typeof boxes)[] = [];
  for (const b of boxes) {
    const first = lines[lines.length - 1]?.[0];
    if (first && Math.abs(b.mid - first.mid) < Math.max(b.height, first.height) / 2) lines[lines.length - 1].push(b);
    else lines.push([b]);
  }
  return lines.map((line) => line.sort((a, b) => a.x - b.x).map((b) => b.i));
}

/** All the text read, one printed line per line (boxes on one line joined by a space). */
export function allText(detections: Detection[]): string {
  return textLines(detections)
    .map((line) => line.map((i) => detections[i].text).join(' '))
    .join('\n');
}
