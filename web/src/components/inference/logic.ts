/** The Inference Studio's pure logic: no DOM, no fetch, so Vitest covers it directly. */
import type { JsonSchema } from '../../contract';
import { fieldsOf } from '../../lib/schema';
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

/** One control per property of the detection schema: the Studio's reading of a schema
 *  (lib/schema.ts), in the shape the threshold controls use. */
export function thresholdFields(schema: JsonSchema): ThresholdField[] {
  return fieldsOf(schema).map((f) => ({
    name: f.name,
    kind: f.kind === 'enum' || f.kind === 'boolean' ? f.kind : 'slider',
    description: f.description ?? '',
    default: f.default,
    integer: f.kind === 'integer',
    min: f.min ?? 0,
    max: f.max ?? 1,
    step: f.step ?? 0.01,
    options: f.options ?? [],
  }));
}

export function thresholdDefaults(fields: ThresholdField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, f.default]));
}

/** The thresholds a model's sidecar tunes (a sweep's "save as defaults"): what the server uses for
 *  each one a request leaves out. */
export function tunedThresholds(entry: CheckpointEntry | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(entry?.profile?.detection ?? {}).filter(([, v]) => v != null));
}

/** A slider's value as text, with as many decimals as its step shows. */
export function formatValue(value: unknown, field: ThresholdField): string {
  if (typeof value !== 'number') return String(value);
  const decimals = field.integer ? 0 : Math.max(0, -Math.floor(Math.log10(field.step)));
  return value.toFixed(decimals);
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
