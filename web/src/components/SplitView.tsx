import { useEffect, useRef, useState } from 'react';
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
  afterParams?: string;
  afterScale?: number;
}

function paint(canvas: HTMLCanvasElement, picture: Picture): void {
  canvas.width = picture.width;
  canvas.height = picture.height;
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
export function SplitView({ before, after, afterKey, afterParams, afterScale }: Props) {
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
          {/* Clipped to its side too: where the result is transparent (background removal keeps the
              mask as alpha) the checkerboard must show, not the original underneath. */}
          <canvas
            ref={beforeCanvas}
            className="layer"
            aria-label="original image"
            data-testid="before-canvas"
            style={{ ...box, clipPath: after ? `inset(0 ${100 - split}% 0 0)` : undefined }}
          />
          <canvas
            ref={afterCanvas}
            className="layer"
            aria-label="processed image"
            data-testid="result-canvas"
            data-cache-key={afterKey ?? ''}
            data-params={afterParams ?? ''}
            data-scale={afterScale ?? ''}
            style={{ ...place, clipPath: `inset(0 0 0 ${Math.max(0, splitX - place.left)}px)`, visibility: after ? 'visible' : 'hidden' }}
          />
          <div className="divider" style={{ left: `${split}%` }} />
        </div>
      </div>
    </section>
  );
}
