/** The compared metric per image, run A (x) against run B (y): above the diagonal B scored higher,
 *  below it lower; a dot is green where B is better (higher, or lower for an error rate such as the
 *  CER) and vermillion where it is worse. Values are drawn within [0, 1] (a CER can pass 1), an
 *  image without a value is left out. A dot opens that image in both runs. */
import { gained, OKABE_ITO } from './logic';

interface Props {
  points: { name: string; a: number | null; b: number | null }[];
  label: string;
  metric: string;
  onPick: (name: string) => void;
}

const S = 300;
const PAD = 34;

export function Scatter({ points, label, metric, onPick }: Props) {
  const plot = S - PAD - 10;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const px = (v: number) => PAD + clamp(v) * plot;
  const py = (v: number) => 10 + (1 - clamp(v)) * plot;
  const drawn = points.filter((p): p is { name: string; a: number; b: number } => p.a !== null && p.b !== null);
  return (
    <svg width={S} height={S} role="img" aria-label={`Per-image ${label}, A against B`} data-testid="compare-scatter" data-points={drawn.length}>
      <rect x={PAD} y={10} width={plot} height={plot} fill="none" stroke="#a9b4c0" />
      <line x1={px(0)} y1={py(0)} x2={px(1)} y2={py(1)} stroke="#a9b4c0" strokeDasharray="4 3" />
      {drawn.map((p) => {
        const gain = gained(metric, p.a, p.b) ?? 0;
        const colour = gain > 0 ? OKABE_ITO.bluishGreen : gain < 0 ? OKABE_ITO.vermillion : '#777';
        return (
          <circle key={p.name} cx={px(p.a)} cy={py(p.b)} r={4} fill={colour} fillOpacity={0.75} onClick={() => onPick(p.name)} style={{ cursor: 'pointer' }}>
            <title>{`${p.name}: A ${(100 * p.a).toFixed(1)}, B ${(100 * p.b).toFixed(1)}`}</title>
          </circle>
        );
      })}
      {[0, 0.5, 1].map((v) => (
        <g key={v} fontSize="10" fill="#5b6673">
          <text x={px(v)} y={S - 16} textAnchor="middle">
            {v}
          </text>
          <text x={PAD - 4} y={py(v) + 3} textAnchor="end">
            {v}
          </text>
        </g>
      ))}
      <text x={S / 2} y={S - 4} fontSize="11" textAnchor="middle">
        A: {label} per image
      </text>
      <text x={10} y={S / 2} fontSize="11" textAnchor="middle" transform={`rotate(-90 10 ${S / 2})`}>
        B
      </text>
    </svg>
  );
}
