/** A run's aggregate precision, recall and H-mean under both protocols (from summed counts). */
import type { ProtocolMetrics } from '../../api/runs';
import { PROTOCOL_LABEL, PROTOCOLS, type Protocol } from '../../api/lab';

const pct = (x: number) => (100 * x).toFixed(2);

export function MetricsSummary({ metrics, protocol, onProtocol }: { metrics: Record<string, ProtocolMetrics>; protocol: Protocol; onProtocol: (p: Protocol) => void }) {
  return (
    <table className="ev-summary" data-testid="run-metrics">
      <thead>
        <tr>
          <th>protocol</th>
          <th>precision</th>
          <th>recall</th>
          <th>H-mean</th>
          <th>words</th>
          <th>detections</th>
        </tr>
      </thead>
      <tbody>
        {PROTOCOLS.map((p) => {
          const m = metrics[p];
          return (
            <tr key={p} data-protocol={p} className={p === protocol ? 'selected' : undefined}>
              <td>
                <label>
                  <input type="radio" name="ev-protocol" checked={p === protocol} onChange={() => onProtocol(p)} /> {PROTOCOL_LABEL[p]}
                </label>
              </td>
              <td>{m ? pct(m.precision) : '—'}</td>
              <td>{m ? pct(m.recall) : '—'}</td>
              <td data-testid={`hmean-${p}`}>{m ? pct(m.hmean) : '—'}</td>
              <td>{m?.gt ?? '—'}</td>
              <td>{m?.det ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
