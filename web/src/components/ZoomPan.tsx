import { useLayoutEffect, useRef, useState, type PointerEvent, type WheelEvent } from 'react';

export interface Size {
  width: number;
  height: number;
}

export interface View {
  scale: number;
  x: number;
  y: number;
}

/**
 * Zoom and pan of a picture in a frame: fitted when a new `picture` comes (and kept fitted while the
 * layout settles or the window is resized, until the user zooms or pans), the wheel zooms around
 * the pointer, the buttons around the centre, dragging pans. Shared by the Studio's split view and
 * the Inference Studio's detection view.
 */
export function useZoomPan(content: Size | null, picture: unknown = content) {
  const frame = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; vx: number; vy: number } | null>(null);
  const userMoved = useRef(false);
  const width = content?.width ?? 0;
  const height = content?.height ?? 0;

  const fit = () => {
    const box = frame.current?.getBoundingClientRect();
    if (!box || !width || !height) return;
    const scale = Math.min(box.width / width, box.height / height);
    setView({ scale, x: (box.width - width * scale) / 2, y: (box.height - height * scale) / 2 });
  };

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
  }, [picture, width, height]); // eslint-disable-line react-hooks/exhaustive-deps

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

  const handlers = {
    onWheel: (e: WheelEvent) => {
      const box = frame.current!.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - box.left, e.clientY - box.top);
    },
    onPointerDown: (e: PointerEvent) => {
      userMoved.current = true;
      drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
      (e.target as Element).setPointerCapture?.(e.pointerId);
    },
    onPointerMove: (e: PointerEvent) => {
      const d = drag.current;
      if (d) setView((v) => ({ ...v, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }));
    },
    onPointerUp: () => (drag.current = null),
    onPointerCancel: () => (drag.current = null),
  };

  const refit = () => {
    userMoved.current = false;
    fit();
  };
  /** The picture's box on screen at this zoom. */
  const box: Size = { width: width * view.scale, height: height * view.scale };
  return { frame, view, box, handlers, zoomCentre, refit };
}

/** The zoom buttons and the zoom level, for a useZoomPan view. */
export function ZoomTools({ zoom }: { zoom: ReturnType<typeof useZoomPan> }) {
  return (
    <>
      <button type="button" onClick={() => zoom.zoomCentre(1.25)} aria-label="zoom in">+</button>
      <button type="button" onClick={() => zoom.zoomCentre(0.8)} aria-label="zoom out">−</button>
      <button type="button" onClick={zoom.refit}>Fit</button>
      <button type="button" onClick={() => zoom.zoomCentre(1 / zoom.view.scale)}>1:1</button>
      <span className="zoom" data-testid="zoom">{Math.round(zoom.view.scale * 100)}%</span>
    </>
  );
}
