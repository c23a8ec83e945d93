/**
 * Find the page: candidates from several cues, each scored by what a page is, the best kept. Twin
 * of imaging/page/finder.py (steps in its docstring).
 */
import type { Segment } from '../../simd';
import type { RgbaImage } from '../image';
import { blurred, findEdges } from './edges';
import { outlineEvidence } from './evidence';
import { edgeBins, findLines } from './lines';
import { quadFromMask } from './outline';
import { lineCandidates, type Point } from './quads';
import { maskFromScore, pageScore, pageScoreSimd, workingFactor, type BlockMeans, type WorkingMask } from './region';

const LINE_CANDIDATES = 20;
const GAP_COST = 1.5;
const MIN_CONFIDENCE = 0.5;
const MIN_AREA = 0.02;
export const NO_PAGE = 'no page edge found; the image is unchanged';

export interface PageFinding {
  /** TL, TR, BR, BL in image pixels (float32 values, like the Python twin), or null: no page. */
  quad: Point[] | null;
  confidence: number;
  workingQuad: Point[] | null;
  region: WorkingMask;
}

/** What the ops report, as the Python twin's PageFinding.report(). */
export interface PageReport {
  quad: Point[] | null;
  confidence: number;
  note?: string;
}

export function pageReport(f: PageFinding): PageReport {
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const quad = f.quad ? f.quad.map(([x, y]) => [r2(x), r2(y)] as Point) : null;
  const report: PageReport = { quad, confidence: Math.round(f.confidence * 1000) / 1000 };
  if (!quad) report.note = NO_PAGE;
  return report;
}

function area(q: Point[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) s += q[i][0] * q[(i + 1) % 4][1];
  let t = 0;
  for (let i = 0; i < 4; i++) t += q[i][1] * q[(i + 1) % 4][0];
  return Math.abs(s - t) / 2;
}

/** Clockwise in image space (y down), starting at the corner with the smallest x + y. */
export function clockwiseFromTopLeft(quad: Point[]): Point[] {
  let s = 0;
  for (let i = 0; i < 4; i++) s += quad[i][0] * quad[(i + 1) % 4][1];
  let t = 0;
  for (let i = 0; i < 4; i++) t += quad[i][1] * quad[(i + 1) % 4][0];
  const q = s - t > 0 ? quad : [...quad].reverse();
  let first = 0;
  for (let i = 1; i < 4; i++) if (q[i][0] + q[i][1] < q[first][0] + q[first][1]) first = i;
  return [0, 1, 2, 3].map((k) => q[(first + k) % 4]);
}

/** Steps 2–5 from the working block means. */
export function findPageIn(block: BlockMeans, factor: number, width: number, height: number): PageFinding {
  const { w, h } = block;
  const region = maskFromScore(block.score, w, h, factor, width, height);
  const planes = blurred(block.means, w, h);
  const edges = findEdges(planes, w, h);
  const bins = edgeBins(edges);
  const found = lineCandidates(findLines(edges, bins), w, h, LINE_CANDIDATES);
  const maskQuad = quadFromMask(region.mask, w, h);
  if (maskQuad) found.push(maskQuad);
  const direction = new Int32Array(w * h).fill(-1);
  for (let i = 0; i < edges.count; i++) direction[edges.y[i] * w + edges.x[i]] = bins[i];
  let best: Point[] | null = null;
  let bestScore = -Infinity, bestConf = 0, topConf = 0;
  for (const raw of found) {
    const quad = clockwiseFromTopLeft(raw);
    const { evidence, lengths } = outlineEvidence(direction, planes, w, h, quad);
    const confidence = Math.min(...evidence);
    topConf = Math.max(topConf, confidence);
    if (confidence < MIN_CONFIDENCE || area(quad) < MIN_AREA * (w * h)) continue;
    let drawn = 0, gaps = 0;
    for (let k = 0; k < 4; k++) drawn += lengths[k] * evidence[k];
    for (let k = 0; k < 4; k++) gaps += lengths[k] * (1 - evidence[k]);
    const score = drawn - GAP_COST * gaps;
    if (score > bestScore) {
      best = quad;
      bestScore = score;
      bestConf = confidence;
    }
  }
  const quad = best ? best.map(([x, y]) => [Math.fround((x + 0.5) * factor - 0.5), Math.fround((y + 0.5) * factor - 0.5)] as Point) : null;
  return { quad, confidence: best ? bestConf : topConf, workingQuad: best, region };
}

export function findPage(src: RgbaImage): PageFinding {
  const factor = workingFactor(src.height, src.width);
  return findPageIn(pageScore(src, factor), factor, src.width, src.height);
}

/** The same on a frame in linear memory, the block means (the pass over every pixel) in SIMD. */
export function findPageSimd(segment: Segment, src: number): PageFinding {
  const factor = workingFactor(segment.height, segment.width);
  return findPageIn(pageScoreSimd(segment, src, factor), factor, segment.width, segment.height);
}

/** The last finding's report, for the pipeline to hand on with the step's timing: the kernels
 *  return images only, and each page op finds the page exactly once per run. */
let lastReport: PageReport | null = null;

export function noteReport(f: PageFinding): PageFinding {
  lastReport = pageReport(f);
  return f;
}

export function takeReport(): PageReport | null {
  const r = lastReport;
  lastReport = null;
  return r;
}
