/** A run's aggregate precision, recall and H-mean under both protocols, and in a run that reads
 *  text its text figures (all from summed counts). */
import type { ProtocolMetrics, TextMetrics } from '../../api/runs';
import { PROTOCOL_LABEL, PROTOCOLS, type Protocol } from '../../api/lab';

const pct = (x: number | null) => (x === null ? '—' : (100 * x).toFixed(2));

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

/** The run's text: CER over the lines paired with the ground truth, words as a bag (SROIE), and
 *  ICDAR 2015 end to end (paired and the text equal). */
export function TextSummary({ metrics }: { metrics: TextMetrics }) {
  const w = metrics.words;
  const e = metrics.end_to_end;
  return (
    <table className="ev-summary" data-testid="run-text-metrics">
      <thead>
        <tr>
          <th>text ({metrics.case_sensitive ? 'case-sensitive' : 'case-insensitive'})</th>
          <th>precision</th>
          <th>recall</th>
          <th>F1 / H-mean</th>
          <th>counts</th>
        </tr>
      </thead>
      <tbody>
        <tr data-text="cer">
          <td>CER over paired lines</td>
          <td colSpan={3} data-testid="text-cer">
            {pct(metrics.cer)}
          </td>
          <td>
            {metrics.char_edits} edits / {metrics.gt_chars} chars, {metrics.lines_matched} lines
          </td>
        </tr>
        <tr data-text="words">
          <td>words (bag of words)</td>
          <td>{pct(w.precision)}</td>
          <td>{pct(w.recall)}</td>
          <td data-testid="text-word-f1">{pct(w.f1)}</td>
          <td>
            {w.correct} right of {w.read} read, {w.gt} expected
          </td>
        </tr>
        <tr data-text="end_to_end">
          <td>end to end (ICDAR 2015)</td>
          <td>{pct(e.precision)}</td>
          <td>{pct(e.recall)}</td>
          <td>{pct(e.hmean)}</td>
          <td>
            {e.correct} right of {e.det} read, {e.gt} expected
          </td>
        </tr>
      </tbody>
    </table>
  );
}
