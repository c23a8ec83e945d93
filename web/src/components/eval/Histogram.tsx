/** How a run's per-image H-mean is spread: one bar per bin of [0, 1], counts on hover and above. */
import type { Histogram as Data } from '../../api/lab';

const W = 360;
const H = 150;
const PAD = { left: 30, right: 8, top: 14, bottom: 26 };

export function Histogram({ data, onBin }: { data: Data; onBin?: (lo: number, hi: number) => void }) {
  const max = Math.max(1, ...data.bins.map((b) => b.count));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const barW = plotW / Math.max(1, data.bins.length);
  return (
    <figure className="ev-chart">
      <svg width={W} height={H} role="img" aria-label={`Per-image H-mean of ${data.scored} images`} data-testid="hmean-histogram">
        <line x1={PAD.left} y1={PAD.top + plotH} x2={W - PAD.right} y2={PAD.top + plotH} stroke="#5b6673" />
        {data.bins.map((b, i) => {
          const h = (b.count / max) * plotH;
          const x = PAD.left + i * barW;
          return (
            <g key={i} onClick={() => onBin?.(b.lo, b.hi)} data-count={b.count}>
              <rect x={x + 1} y={PAD.top + plotH - h} width={barW - 2} height={h} fill="#0072B2">
                <title>{`H-mean ${b.lo.toFixed(2)}–${b.hi.toFixed(2)}: ${b.count} images`}</title>
              </rect>
              {b.count > 0 && (
                <text x={x + barW / 2} y={PAD.top + plotH - h - 2} fontSize="10" textAnchor="middle">
                  {b.count}
                </text>
              )}
            </g>
          );
        })}
        {[0, 0.5, 1].map((v) => (
          <text key={v} x={PAD.left + v * plotW} y={H - 10} fontSize="10" textAnchor="middle">
            {v}
          </text>
        ))}
        <text x={W / 2} y={H - 1} fontSize="10" textAnchor="middle">
          H-mean per image
        </text>
      </svg>
      <figcaption>
        {data.scored} images scored{data.failed ? `, ${data.failed} failed` : ''}
      </figcaption>
    </figure>
  );
}
