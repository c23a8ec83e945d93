import { useState } from 'react';
import type { Detection, ImageSize } from '../../api/inference';
import { useZoomPan, ZoomTools } from '../ZoomPan';
import { labelAnchor, scalePoints, svgPoints } from './logic';

interface Props {
  src: string;
  alt: string;
  /** The size the detections' coordinates refer to (the server's decoded image). */
  imageSize: ImageSize | null;
  detections: Detection[];
  showScores: boolean;
}

/** The picture with its detections drawn over it, zoomed and panned as in the Studio (wheel,
 *  buttons, drag). The polygons are drawn in screen pixels over the picture's box at the current
 *  zoom, so strokes and score labels keep their size whatever the zoom. */
export function DetectionOverlay({ src, alt, imageSize, detections, showScores }: Props) {
  const [natural, setNatural] = useState<ImageSize | null>(null);
  const zoom = useZoomPan(natural, src);
  const shown = zoom.box;
  const size = imageSize ?? { width: 0, height: 0 };
  return (
    <section className="inf-view" aria-label="Detections">
      <div className="view-tools">
        <ZoomTools zoom={zoom} />
      </div>
      <div ref={zoom.frame} className="frame inf-frame" {...zoom.handlers}>
        <div className="stage" style={{ transform: `translate(${zoom.view.x}px, ${zoom.view.y}px)`, ...shown }}>
          <img
            src={src}
            alt={alt}
            data-testid="inference-image"
            draggable={false}
            style={natural ? shown : { visibility: 'hidden' }}
            onLoad={(e) => setNatural({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
          />
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
      </div>
    </section>
  );
}
