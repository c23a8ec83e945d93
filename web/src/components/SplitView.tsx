import { memo, useEffect, useRef, useState } from 'react';
import { toImageData } from '../lib/decode';
import { countPaint } from '../lib/paints';
import type { RgbaImage } from '../workers';
import { useZoomPan, ZoomTools } from './ZoomPan';

/** A picture to show: RGBA pixels, or a decoded bitmap (an opened photo, drawn without copying). */
export type Picture = RgbaImage | ImageBitmap;

interface Props {
  before: Picture;
  after: RgbaImage | null;
  /** Described on the result canvas (data-*) for tests and tools: its cache key, the params it
   *  shows and its scale against the full-resolution result. */
  afterKey?: string;
  /** A quadrilateral to outline on the original (the page found), in its pixels. */
  quad?: [number, number][] | null;
  afterParams?: string;
  afterScale?: number;
}

function paint(canvas: HTMLCanvasElement, picture: Picture): void {
  // Setting a canvas's size, even to the one it has, drops and reallocates its backing store:
  // on a drag that is every frame, so only a change of size does it.
  if (canvas.width !== picture.width) canvas.width = picture.width;
  if (canvas.height !== picture.height) canvas.height = picture.height;
  const ctx = canvas.getContext('2d')!;
  if ('data' in picture) ctx.putImageData(toImageData(picture), 0, 0);
  else ctx.drawImage(picture, 0, 0);
}

/** Where `after` sits in a box of the given size: as large as fits, its own aspect kept, centred
 *  (a crop or a resize to another shape is not stretched over the original's frame). */
export function fitInside(after: { width: number; height: number }, box: { width: number; height: number }) {
  const k = Math.min(box.width / after.width, box.height / after.height);
  const width = after.width * k;
  const height = after.height * k;
  return { left: (box.width - width) / 2, top: (box.height - height) / 2, width, height };
}

/**
 * Before on the left of the split, after on the right, each drawn at its own resolution. The
 * after picture fills the before's box as far as its own aspect allows (so a resized result lines
 * up, and a cropped one keeps its shape). Zoom and pan as in ZoomPan.tsx.
 */
// Memoised: a slider step re-renders the Studio; the view only when its pictures change.
export const SplitView = memo(function SplitView({ before, after, afterKey, afterParams, afterScale, quad }: Props) {
  const beforeCanvas = useRef<HTMLCanvasElement>(null);
  const afterCanvas = useRef<HTMLCanvasElement>(null);
  const [split, setSplit] = useState(50);
  const zoom = useZoomPan(before);

  useEffect(() => {
    if (beforeCanvas.current) paint(beforeCanvas.current, before);
  }, [before]);

  useEffect(() => {
    if (!afterCanvas.current || !after) return;
    paint(afterCanvas.current, after);
    countPaint();
  }, [after]);

  const { box, view } = zoom;
  const stage = { transform: `translate(${view.x}px, ${view.y}px)`, ...box };
  const place = after ? fitInside(after, box) : { left: 0, top: 0, ...box };
  const splitX = (split / 100) * box.width;
  return (
    <section className="split" aria-label="Before and after">
      <div className="view-tools">
        <label htmlFor="split-pos">Split</label>
        <input id="split-pos" type="range" min={0} max={100} value={split} aria-label="split position" onChange={(e) => setSplit(Number(e.target.value))} />
        <ZoomTools zoom={zoom} />
      </div>
      <div ref={zoom.frame} className="frame" {...zoom.handlers}>
        <div className="stage" style={stage}>
          {/* Each side is clipped by a box that hides what overflows it (a plain rectangle the
              compositor clips for free; a clip-path on a canvas this large is a mask repainted
              with it). The result is clipped to its side too: where it is transparent (background
              removal keeps the mask as alpha) the checkerboard must show, not the original. */}
          <div className="side" style={{ left: 0, top: 0, width: after ? splitX : box.width, height: box.height }}>
            <canvas ref={beforeCanvas} className="layer" aria-label="original image" data-testid="before-canvas" style={box} />
            {quad && (
              <svg className="layer page-quad" data-testid="page-quad" viewBox={`-0.5 -0.5 ${before.width} ${before.height}`} style={box} aria-label="page found">
                <polygon points={quad.map(([x, y]) => `${x},${y}`).join(' ')} vectorEffect="non-scaling-stroke" />
              </svg>
            )}
          </div>
          <div className="side" style={{ left: splitX, top: 0, width: Math.max(0, box.width - splitX), height: box.height }}>
            <canvas
              ref={afterCanvas}
              className="layer"
              aria-label="processed image"
              data-testid="result-canvas"
              data-cache-key={afterKey ?? ''}
              data-params={afterParams ?? ''}
              data-scale={afterScale ?? ''}
              style={{ ...place, left: place.left - splitX, visibility: after ? 'visible' : 'hidden' }}
            />
          </div>
          <div className="divider" style={{ left: `${split}%` }} />
        </div>
      </div>
    </section>
  );
});
