import { useEffect, useRef, useState } from 'react';
import type { Detection, ImageSize } from '../../api/inference';
import { labelAnchor, scalePoints, svgPoints } from './logic';

interface Props {
  src: string;
  alt: string;
  /** The size the detections' coordinates refer to (the server's decoded image). */
  imageSize: ImageSize | null;
  detections: Detection[];
  showScores: boolean;
  /** The detection hovered here or in the text list (drawn highlighted). */
  highlighted?: number | null;
  onHighlight?: (index: number | null) => void;
}

/** The picture with its detections drawn over it. The SVG is laid exactly over the <img> and the
 *  polygons are rescaled whenever the displayed size changes (window resize, layout). */
export function DetectionOverlay({ src, alt, imageSize, detections, showScores, highlighted = null, onHighlight }: Props) {
  const img = useRef<HTMLImageElement>(null);
  const [shown, setShown] = useState<ImageSize>({ width: 0, height: 0 });

  useEffect(() => {
    const el = img.current;
    if (!el) return;
    const measure = () => setShown({ width: el.clientWidth, height: el.clientHeight });
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    el.addEventListener('load', measure);
    measure();
    return () => {
      observer.disconnect();
      el.removeEventListener('load', measure);
    };
  }, [src]);

  const size = imageSize ?? { width: 0, height: 0 };
  return (
    <div className="inf-stage">
      <img ref={img} src={src} alt={alt} data-testid="inference-image" />
      <svg
        className="inf-overlay"
        data-testid="detection-overlay"
        data-count={detections.length}
        width={shown.width}
        height={shown.height}
        aria-label={`${detections.length} detections`}
      >
        {detections.map((d, i) => {
          const pts = scalePoints(d.points, size, shown);
          const [lx, ly] = labelAnchor(pts, shown);
          // With a recognizer the label is the text read (and its score when scores are shown).
          const read = d.text != null ? d.text : null;
          const label = read !== null ? (showScores ? `${read} (${d.score.toFixed(2)})` : read) : showScores ? d.score.toFixed(2) : null;
          return (
            <g
              key={i}
              className={`inf-det${i === highlighted ? ' highlighted' : ''}`}
              onMouseEnter={() => onHighlight?.(i)}
              onMouseLeave={() => onHighlight?.(null)}
            >
              <polygon data-testid="detection" points={svgPoints(pts)}>
                <title>{`#${i} score ${d.score.toFixed(3)}${read !== null ? ` text "${read}" (${(d.textScore ?? 0).toFixed(3)})` : ''}`}</title>
              </polygon>
              {label !== null && label !== '' && (
                <text x={lx} y={ly} className={read !== null ? 'inf-read' : undefined}>
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
