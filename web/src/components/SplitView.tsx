import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent, type WheelEvent } from 'react';
import { toImageData } from '../lib/decode';
import type { RgbaImage } from '../workers';

interface Props {
  before: RgbaImage;
  after: RgbaImage | null;
  afterKey?: string;
  /** A quadrilateral to outline on the original (the page found), in its pixels. */
  quad?: [number, number][] | null;
}

/**
 * Before on the left of the split, after on the right, drawn at their own resolution and shown
 * in the same box (so a resized result still lines up). Wheel or buttons zoom around the pointer
 * or centre; dragging pans.
 */
export function SplitView({ before, after, afterKey, quad }: Props) {
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
    const c = beforeCanvas.current;
    if (!c) return;
    c.width = before.width;
    c.height = before.height;
    c.getContext('2d')!.putImageData(toImageData(before), 0, 0);
  }, [before]);

  useEffect(() => {
    const c = afterCanvas.current;
    if (!c || !after) return;
    c.width = after.width;
    c.height = after.height;
    c.getContext('2d')!.putImageData(toImageData(after), 0, 0);
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
            style={{ ...box, clipPath: `inset(0 0 0 ${split}%)`, visibility: after ? 'visible' : 'hidden' }}
          />
          {quad && (
            <svg
              className="layer page-quad"
              data-testid="page-quad"
              viewBox={`-0.5 -0.5 ${before.width} ${before.height}`}
              style={{ ...box, clipPath: after ? `inset(0 ${100 - split}% 0 0)` : undefined }}
              aria-label="page found"
            >
              <polygon points={quad.map(([x, y]) => `${x},${y}`).join(' ')} vectorEffect="non-scaling-stroke" />
            </svg>
          )}
          <div className="divider" style={{ left: `${split}%` }} />
        </div>
      </div>
    </section>
  );
}
