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
}

/** The picture with its detections drawn over it. The SVG is laid exactly over the <img> and the
 *  polygons are rescaled whenever the displayed size changes (window resize, layout). */
export function DetectionOverlay({ src, alt, imageSize, detections, showScores }: Props) {
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
          return (
            <g key={i} className="inf-det">
              <polygon data-testid="detection" points={svgPoints(pts)}>
                <title>{`#${i} score ${d.score.toFixed(3)}`}</title>
              </polygon>
              {showScores && (
                <text x={lx} y={ly}>
                  {d.score.toFixed(2)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
