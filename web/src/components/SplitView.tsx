import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent, type WheelEvent } from 'react';
import { toImageData } from '../lib/decode';
import { countPaint } from '../lib/paints';
import type { RgbaImage } from '../workers';

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
 * up, and a cropped one keeps its shape). Wheel or buttons zoom around the pointer or centre;
 * dragging pans.
 */
export function SplitView({ before, after, afterKey, afterParams, afterScale }: Props) {
  const frame = useRef<HTMLDivElement>(null);
  const beforeCanvas = useRef<HTMLCanvasElement>(null);
  const afterCanvas = useRef<HTMLCanvasElement>(null);
  const [split, setSplit] = useState(50);
  const [view, setView] = useState({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; vx: number; vy: number } | null>(null);

  const fit = () => {
    const box = frame.current?.getBoundingClientRect();
    if (!box) return;
    const scale = Math.min(box.width / before.width, box.height / before.height);
    setView({ scale, x: (box.width - before.width * scale) / 2, y: (box.height - before.height * scale) / 2 });
  };

  // Fit a new image, and keep it fitted while the layout settles or the window is resized,
  // until the user zooms or pans.
  const userMoved = useRef(false);
  useLayoutEffect(() => {
    userMoved.current = false;
    fit();
    const el = frame.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (!userMoved.current) fit();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [before]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (beforeCanvas.current) paint(beforeCanvas.current, before);
  }, [before]);

  useEffect(() => {
    if (!afterCanvas.current || !after) return;
    paint(afterCanvas.current, after);
    countPaint();
  }, [after]);

  const zoomAt = (factor: number, cx: number, cy: number) => {
    userMoved.current = true;
    setView((v) => {
      const scale = Math.min(32, Math.max(0.05, v.scale * factor));
      const k = scale / v.scale;
      return { scale, x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k };
    });
  };
  const zoomCentre = (factor: number) => {
    const box = frame.current?.getBoundingClientRect();
    if (box) zoomAt(factor, box.width / 2, box.height / 2);
  };

  const onWheel = (e: WheelEvent) => {
    const box = frame.current!.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - box.left, e.clientY - box.top);
  };
  const onPointerDown = (e: PointerEvent) => {
    userMoved.current = true;
    drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
    (e.target as Element).setPointerCapture?.(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (d) setView((v) => ({ ...v, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }));
  };
  const onPointerUp = () => (drag.current = null);

  const box = { width: before.width * view.scale, height: before.height * view.scale };
  const stage = { transform: `translate(${view.x}px, ${view.y}px)`, ...box };
  const place = after ? fitInside(after, box) : { left: 0, top: 0, ...box };
  const splitX = (split / 100) * box.width;
  return (
    <section className="split" aria-label="Before and after">
      <div className="view-tools">
        <label htmlFor="split-pos">Split</label>
        <input id="split-pos" type="range" min={0} max={100} value={split} aria-label="split position" onChange={(e) => setSplit(Number(e.target.value))} />
        <button type="button" onClick={() => zoomCentre(1.25)} aria-label="zoom in">+</button>
        <button type="button" onClick={() => zoomCentre(0.8)} aria-label="zoom out">−</button>
        <button type="button" onClick={() => { userMoved.current = false; fit(); }}>Fit</button>
        <button type="button" onClick={() => zoomCentre(1 / view.scale)}>1:1</button>
        <span className="zoom" data-testid="zoom">{Math.round(view.scale * 100)}%</span>
      </div>
      <div
        ref={frame}
        className="frame"
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
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
