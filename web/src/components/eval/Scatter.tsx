/** Per-image H-mean of run A (x) against run B (y): above the diagonal B did better (fixed),
 *  below it worse (broke). A dot opens that image in both runs. */
import { OKABE_ITO } from './logic';

interface Props {
  points: { name: string; a: number; b: number }[];
  onPick: (name: string) => void;
}

const S = 300;
const PAD = 34;

export function Scatter({ points, onPick }: Props) {
  const plot = S - PAD - 10;
  const px = (v: number) => PAD + v * plot;
  const py = (v: number) => 10 + (1 - v) * plot;
  return (
    <svg width={S} height={S} role="img" aria-label="Per-image H-mean, A against B" data-testid="compare-scatter" data-points={points.length}>
      <rect x={PAD} y={10} width={plot} height={plot} fill="none" stroke="#a9b4c0" />
      <line x1={px(0)} y1={py(0)} x2={px(1)} y2={py(1)} stroke="#a9b4c0" strokeDasharray="4 3" />
      {points.map((p) => {
        const colour = p.b > p.a ? OKABE_ITO.bluishGreen : p.b < p.a ? OKABE_ITO.vermillion : '#777';
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
        A: H-mean per image
      </text>
      <text x={10} y={S / 2} fontSize="11" textAnchor="middle" transform={`rotate(-90 10 ${S / 2})`}>
        B
      </text>
    </svg>
  );
}
