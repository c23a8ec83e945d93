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
  /** The detection hovered here or in the text list (drawn highlighted). */
  highlighted?: number | null;
  onHighlight?: (index: number | null) => void;
}

/** The picture with its detections drawn over it, zoomed and panned as in the Studio (wheel,
 *  buttons, drag). The polygons are drawn in screen pixels over the picture's box at the current
 *  zoom, so strokes and score labels keep their size whatever the zoom. */
export function DetectionOverlay({ src, alt, imageSize, detections, showScores, highlighted = null, onHighlight }: Props) {
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
      </div>
    </section>
  );
}
