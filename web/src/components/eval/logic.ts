/** The Evaluation Lab's pure logic: no DOM, no fetch, so Vitest covers it directly. */
import type { CompareMetric, DetMatch, GtMatch, Item, ItemDetail } from '../../api/lab';
import type { TextMetrics } from '../../api/runs';

// --- colours ----------------------------------------------------------------------------------

/** Okabe–Ito: six hues that stay distinct for the common forms of colour blindness. The server's
 *  thumbnails and HTML report draw with the same six (runs/overlay.py). */
export const OKABE_ITO = {
  bluishGreen: '#009E73',
  vermillion: '#D55E00',
  grey: '#999999',
  blue: '#0072B2',
  reddishPurple: '#CC79A7',
  skyBlue: '#56B4E9',
} as const;

export type MarkKey = `gt:${GtMatch}` | `det:${DetMatch}`;

export const MARKS: { key: MarkKey; label: string; colour: string; dashed?: boolean }[] = [
  { key: 'gt:tp', label: 'word matched', colour: OKABE_ITO.bluishGreen },
  { key: 'gt:fn', label: 'word missed', colour: OKABE_ITO.vermillion },
  { key: 'gt:dont_care', label: "don't care", colour: OKABE_ITO.grey, dashed: true },
  { key: 'det:tp', label: 'true detection', colour: OKABE_ITO.blue },
  { key: 'det:fp', label: 'false detection', colour: OKABE_ITO.reddishPurple },
  { key: 'det:ignored', label: 'ignored detection', colour: OKABE_ITO.skyBlue, dashed: true },
];

export const markColour = (key: MarkKey): string => MARKS.find((m) => m.key === key)?.colour ?? OKABE_ITO.blue;

/** How many shapes carry each mark (the legend's counts). Unmarked shapes (no ground truth) count
 *  as true detections / matched words only for drawing, not here. */
export function countMarks(detail: Pick<ItemDetail, 'detections' | 'ground_truth'>): Record<MarkKey, number> {
  const counts = Object.fromEntries(MARKS.map((m) => [m.key, 0])) as Record<MarkKey, number>;
  for (const g of detail.ground_truth) if (g.match) counts[`gt:${g.match}`] += 1;
  for (const d of detail.detections) if (d.match) counts[`det:${d.match}`] += 1;
  return counts;
}

/** A sequential colour for a score in [0, 1] (viridis stops: dark blue to yellow, readable for
 *  colour-blind people and in greyscale). */
const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];
export function heatColour(value: number): string {
  const v = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(v));
  const t = v - i;
  const mix = (a: string, b: string, k: number) => Math.round(parseInt(a, 16) * (1 - k) + parseInt(b, 16) * k);
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  const rgb = [1, 3, 5].map((o) => mix(a.slice(o, o + 2), b.slice(o, o + 2), t));
  return `rgb(${rgb.join(', ')})`;
}

// --- the items table --------------------------------------------------------------------------

/** Columns a metric is shown in, in this order; any other numeric metric the items carry follows. */
const KNOWN_METRICS = ['hmean', 'precision', 'recall', 'tp', 'fp', 'fn', 'gt', 'det'];
/** Metrics where a HIGHER value is worse (counts of errors): "worst first" sorts them descending. */
export const LOWER_IS_BETTER = new Set(['fp', 'fn', 'time', 'cer', 'wer']);
/** The text figures the items table shows for a run that reads text, by their flat names (the
 *  server's: items.parquet columns, sort keys, compare metrics). */
export const TEXT_COLUMNS = ['word_f1', 'cer', 'e2e_hmean'];
/** Keys the server can sort by (runs/store.py SORT_KEYS; the rest of a row's values are shown, not sortable). */
export const SORTABLE = new Set(['name', 'status', 'detections', 'time', 'precision', 'recall', 'hmean', 'tp', 'fp', 'fn', 'cer', 'word_f1', 'word_precision', 'word_recall', 'e2e_hmean']);
const PERCENT = new Set(['precision', 'recall', 'hmean', 'cer', 'word_f1', 'word_precision', 'word_recall', 'e2e_hmean', 'e2e_precision', 'e2e_recall']);

/** One text figure of an item's (or a run's) text metrics by its flat name; null when it has no
 *  value (the CER of an image with no line paired), undefined when there are no text metrics. */
export function textValue(m: TextMetrics | null | undefined, key: string): number | null | undefined {
  if (!m) return undefined;
  const [group, field] = key.startsWith('word_') ? ['words', key.slice(5)] : key.startsWith('e2e_') ? ['end_to_end', key.slice(4)] : [null, key];
  const source = (group ? m[group as 'words' | 'end_to_end'] : m) as unknown as Record<string, number | null>;
  return source[field];
}

/** How a detection's text fared against the ground-truth line it is paired with (texts compared
 *  with runs of white space as one, as the text metrics compare them). */
export function readVerdict(d: { text?: string | null; gt_text?: string | null }): 'right' | 'wrong' | 'unpaired' {
  if (d.gt_text == null) return 'unpaired';
  const fold = (t: string) => t.split(/\s+/).filter(Boolean).join(' ');
  return fold(d.text ?? '') === fold(d.gt_text) ? 'right' : 'wrong';
}

/** Text columns when any item carries text metrics, else none. */
export const textColumns = (items: Item[]): string[] => (items.some((i) => i.text_metrics) ? TEXT_COLUMNS : []);

export function metricColumns(items: Item[], protocol: string): string[] {
  const found = new Set<string>();
  for (const item of items) for (const [k, v] of Object.entries(item.metrics?.[protocol] ?? {})) if (typeof v === 'number') found.add(k);
  const known = KNOWN_METRICS.filter((k) => found.has(k));
  const rest = [...found].filter((k) => !KNOWN_METRICS.includes(k)).sort();
  return [...known, ...rest];
}

export interface Sort {
  key: string;
  order: 'asc' | 'desc';
}

/** The worst-first order of a column: low scores first, or high error counts first. */
export const worstFirst = (key: string): Sort => ({ key, order: LOWER_IS_BETTER.has(key) ? 'desc' : 'asc' });

/** A click on a column header: a new column sorts worst first; the same column flips. */
export function nextSort(current: Sort, key: string): Sort {
  if (current.key !== key) return worstFirst(key);
  return { key, order: current.order === 'asc' ? 'desc' : 'asc' };
}

export function formatMetric(key: string, value: number | undefined | null): string {
  if (value === undefined || value === null) return '—';
  if (PERCENT.has(key)) return (100 * value).toFixed(1);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The row a key press moves to (ArrowUp/ArrowDown/j/k/Home/End/PageUp/PageDown); null: not ours. */
export function moveSelection(key: string, index: number, count: number, page = 10): number | null {
  if (count === 0) return null;
  const clamp = (i: number) => Math.min(count - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return clamp(index + 1);
    case 'ArrowUp':
    case 'k':
      return clamp(index - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return clamp(index + page);
    case 'PageUp':
      return clamp(index - page);
    default:
      return null;
  }
}

// --- zoom and pan -----------------------------------------------------------------------------

export interface View {
  scale: number;
  x: number; // where the image's top-left corner is, in frame pixels
  y: number;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 32;

/** The whole image in the frame, centred. */
export function fitView(image: { width: number; height: number }, frame: { width: number; height: number }): View {
  if (image.width <= 0 || image.height <= 0 || frame.width <= 0 || frame.height <= 0) return { scale: 1, x: 0, y: 0 };
  const scale = Math.min(frame.width / image.width, frame.height / image.height);
  return { scale, x: (frame.width - image.width * scale) / 2, y: (frame.height - image.height * scale) / 2 };
}

/** Zoom by `factor` keeping the image point under (cx, cy) where it is. */
export function zoomAt(view: View, factor: number, cx: number, cy: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const k = scale / view.scale;
  return { scale, x: cx - (cx - view.x) * k, y: cy - (cy - view.y) * k };
}

/** Frame pixels of an image point under `view`. */
export const toFrame = (view: View, [px, py]: [number, number]): [number, number] => [view.x + px * view.scale, view.y + py * view.scale];

// --- sweep grid -------------------------------------------------------------------------------

/** "0.2, 0.3 0.4" -> [0.2, 0.3, 0.4]; an error sentence for anything else. */
export function parseValues(text: string, lo: number, hi: number, name: string): number[] | string {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return `${name}: give at least one value.`;
  const values = parts.map(Number);
  const bad = parts.find((_, i) => !Number.isFinite(values[i]) || values[i] < lo || values[i] > hi);
  if (bad !== undefined) return `${name}: '${bad}' is not a number in [${lo}, ${hi}].`;
  return [...new Set(values)].sort((a, b) => a - b);
}

// --- comparison -------------------------------------------------------------------------------

/** The change of one image from A to B, for a list's label: "+12.5" percentage points. */
export const changeText = (a: number, b: number): string => `${b - a >= 0 ? '+' : ''}${(100 * (b - a)).toFixed(1)}`;

/** What a comparison can decide on, as the page offers it. */
export const COMPARE_METRICS: { value: CompareMetric; label: string }[] = [
  { value: 'hmean', label: 'H-mean (detection)' },
  { value: 'word_f1', label: 'word F1 (text)' },
  { value: 'cer', label: 'CER (text)' },
  { value: 'e2e_hmean', label: 'end-to-end H-mean (text)' },
];
export const isCompareMetric = (v: string | null): v is CompareMetric => COMPARE_METRICS.some((m) => m.value === v);

/** Each measure's name as a table row shows it. */
export const MEASURE_LABEL: Record<string, string> = {
  precision: 'precision',
  recall: 'recall',
  hmean: 'H-mean',
  cer: 'CER',
  word_precision: 'word precision',
  word_recall: 'word recall',
  word_f1: 'word F1',
  e2e_precision: 'end-to-end precision',
  e2e_recall: 'end-to-end recall',
  e2e_hmean: 'end-to-end H-mean',
};

/** Whether B is better than A on an image under `metric` (a lower CER is better); null when
 *  either has no value. */
export function gained(metric: string, a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  return LOWER_IS_BETTER.has(metric) ? a - b : b - a;
}
