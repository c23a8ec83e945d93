/**
 * One image of a run with its marks: ground truth matched / missed / don't care and detections
 * true / false / ignored, in Okabe–Ito colours with a legend and counts. Wheel or +/− zooms at the
 * pointer, drag pans, 0 fits. Polygons live in image coordinates inside the transformed stage and
 * keep a constant on-screen stroke (non-scaling strokes), so they stay sharp at any zoom.
 *
 * Two viewers can share one `view` (side by side, A and B), so zooming one zooms both. In a run that
 * reads text, each detection's tooltip says what was read and what the ground truth says there, and
 * a list beside the image gives the same line by line (hover a row to find its box).
 */
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { ItemDetail } from '../../api/lab';
import type { Point } from '../../api/inference';
import { countMarks, fitView, MARKS, markColour, zoomAt, type MarkKey, type View } from './logic';
import { ReadText } from './ReadText';

interface Props {
  src: string;
  detail: ItemDetail | null;
  label?: string;
  view?: View | null;
  onView?: (view: View) => void;
  testId?: string;
}

const ZOOM_STEP = 1.25;
const pts = (points: Point[]) => points.map(([x, y]) => `${x},${y}`).join(' ');

function detectionTitle(d: ItemDetail['detections'][number], key: MarkKey): string {
  let title = `${MARKS.find((m) => m.key === key)?.label ?? 'detection'}, score ${d.score.toFixed(3)}`;
  if (d.text !== undefined) title += `\nread: ${d.text || '(nothing)'}`;
  if (d.gt_text != null) title += `\nground truth: ${d.gt_text}`;
  return title;
}

export function ImageViewer({ src, detail, label, view: sharedView, onView, testId = 'eval-viewer' }: Props) {
  const frame = useRef<HTMLDivElement>(null);
  const [ownView, setOwnView] = useState<View | null>(null);
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const [layers, setLayers] = useState({ gt: true, det: true });
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const drag = useRef<{ x: number; y: number; view: View } | null>(null);
  const view = sharedView !== undefined ? sharedView : ownView;
  const setView = useCallback((v: View) => (onView ? onView(v) : setOwnView(v)), [onView]);

  // The marks' coordinates are the decoded image's (EXIF applied, as the browser shows it).
  const size = detail?.width && detail?.height ? { width: detail.width, height: detail.height } : natural;

  const fit = useCallback(() => {
    const el = frame.current;
    if (el && size) setView(fitView(size, { width: el.clientWidth, height: el.clientHeight }));
  }, [size, setView]);

  useEffect(() => {
    if (size && !view) fit();
  }, [size, view, fit]);

  // A native listener: React's wheel handler is passive, so it could not stop the page scrolling.
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (!view) return;
      e.preventDefault();
      const box = el.getBoundingClientRect();
      setView(zoomAt(view, e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, e.clientX - box.left, e.clientY - box.top));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [view, setView]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const el = frame.current;
    if (!el || !view) return;
    const [cx, cy] = [el.clientWidth / 2, el.clientHeight / 2];
    if (e.key === '+' || e.key === '=') setView(zoomAt(view, ZOOM_STEP, cx, cy));
    else if (e.key === '-') setView(zoomAt(view, 1 / ZOOM_STEP, cx, cy));
    else if (e.key === '0') fit();
    else return;
    e.preventDefault();
  };

  const onPointerDown = (e: ReactPointerEvent) => {
    if (!view || e.button !== 0) return;
    (e.target as Element).setPointerCapture?.(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, view };
  };
  const onPointerMove = (e: ReactPointerEvent) => {
    const d = drag.current;
    if (d) setView({ ...d.view, x: d.view.x + e.clientX - d.x, y: d.view.y + e.clientY - d.y });
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const counts = detail ? countMarks(detail) : null;
  const scored = detail?.ground_truth.some((g) => g.match) ?? false;
  const shown = (key: MarkKey) => (key.startsWith('gt') ? layers.gt : layers.det);
  const reads = detail?.detections.some((d) => d.text !== undefined) ?? false;

  return (
    <figure className="ev-viewer" data-testid={testId}>
      <figcaption className="ev-viewer-bar">
        {label && <strong>{label}</strong>}
        <button type="button" onClick={() => view && frame.current && setView(zoomAt(view, ZOOM_STEP, frame.current.clientWidth / 2, frame.current.clientHeight / 2))}>
          +
        </button>
        <button type="button" onClick={() => view && frame.current && setView(zoomAt(view, 1 / ZOOM_STEP, frame.current.clientWidth / 2, frame.current.clientHeight / 2))}>
          −
        </button>
        <button type="button" onClick={fit}>
          fit
        </button>
        <span className="ev-zoom">{view ? `${Math.round(view.scale * 100)} %` : ''}</span>
        <label>
          <input type="checkbox" checked={layers.gt} onChange={(e) => setLayers((l) => ({ ...l, gt: e.target.checked }))} /> ground truth
        </label>
        <label>
          <input type="checkbox" checked={layers.det} onChange={(e) => setLayers((l) => ({ ...l, det: e.target.checked }))} /> detections
        </label>
      </figcaption>
      <ul className="ev-legend" aria-label="Legend">
        {MARKS.filter((m) => scored || m.key === 'det:tp').map((m) => (
          <li key={m.key} data-mark={m.key}>
            <svg width="18" height="10" aria-hidden="true">
              <rect x="1" y="1" width="16" height="8" fill="none" stroke={m.colour} strokeWidth="2.5" strokeDasharray={m.dashed ? '3 2' : undefined} />
            </svg>
            {scored ? m.label : 'detection'} <span data-testid={`count-${m.key}`}>{counts ? (scored ? counts[m.key] : detail?.detections.length) : 0}</span>
          </li>
        ))}
      </ul>
      <div className="ev-viewer-body">
        <div
          ref={frame}
          className="ev-frame"
          tabIndex={0}
          aria-label="Image: wheel or + and − to zoom, drag to pan, 0 to fit"
          onKeyDown={onKeyDown}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
        >
          <div
            className="ev-stage"
            data-testid={`${testId}-stage`}
            data-scale={view?.scale ?? 0}
            data-x={view?.x ?? 0}
            data-y={view?.y ?? 0}
            style={view ? { transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` } : { visibility: 'hidden' }}
          >
            <img
              src={src}
              alt={label ?? detail?.name ?? ''}
              draggable={false}
              style={size ? { width: size.width, height: size.height } : undefined}
              onLoad={(e) => setNatural({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
            />
            {detail && size && (
              <svg className="ev-marks" width={size.width} height={size.height} viewBox={`0 0 ${size.width} ${size.height}`} data-testid={`${testId}-marks`}>
                {detail.ground_truth.map((g, i) => {
                  const key: MarkKey = `gt:${g.match ?? 'tp'}`;
                  return shown(key) ? (
                    <polygon key={`g${i}`} points={pts(g.points)} data-mark={key} stroke={markColour(key)} strokeWidth={g.match === 'fn' ? 3 : 2.5}
                      strokeDasharray={g.match === 'dont_care' ? '4 3' : undefined} vectorEffect="non-scaling-stroke">
                      <title>{`${MARKS.find((m) => m.key === key)?.label ?? 'word'}${g.text ? `: ${g.text}` : ''}`}</title>
                    </polygon>
                  ) : null;
                })}
                {detail.detections.map((d, i) => {
                  const key: MarkKey = `det:${d.match ?? 'tp'}`;
                  return shown(key) ? (
                    <polygon key={`d${i}`} points={pts(d.points)} data-mark={key} data-index={i} stroke={markColour(key)} strokeWidth={i === highlighted ? 4 : 1.5}
                      strokeDasharray={d.match === 'ignored' ? '3 2' : undefined} vectorEffect="non-scaling-stroke"
                      onMouseEnter={() => setHighlighted(i)} onMouseLeave={() => setHighlighted(null)}>
                      <title>{detectionTitle(d, key)}</title>
                    </polygon>
                  ) : null;
                })}
              </svg>
            )}
          </div>
        </div>
      {detail && reads && <ReadText detections={detail.detections} highlighted={highlighted} onHighlight={setHighlighted} />}
      </div>
    </figure>
  );
}
