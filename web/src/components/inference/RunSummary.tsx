import type { PreviewResponse } from '../../api/inference';

interface Props {
  result: PreviewResponse | null;
  roundTripMs: number | null;
  busy: boolean;
  sent: number;
}

const num = (v: number | boolean | undefined) => (typeof v === 'number' ? `${Math.round(v)} ms` : '–');

/** Detection count and latency: the browser's round trip and the server's own breakdown. */
export function RunSummary({ result, roundTripMs, busy, sent }: Props) {
  const t = result?.timings ?? {};
  return (
    <div className="inf-summary" role="status" aria-live="polite">
      <span data-testid="detection-count" data-count={result?.detections.length ?? ''}>
        <strong>{result ? result.detections.length : '–'}</strong> detections
      </span>
      <span data-testid="latency" title="Browser round trip (request sent → reply parsed)">
        round trip <strong>{roundTripMs === null ? '–' : `${Math.round(roundTripMs)} ms`}</strong>
      </span>
      <span title="Server time: in total, running the model (skipped when only thresholds changed: the map is cached), and post-processing">
        server {num(t.total_ms)} (
        {result?.reused_from ? (
          <span data-testid="reused-from">from run item {result.reused_from}; the model did not run</span>
        ) : (
          `${t.map_cached ? 'probability map cached' : `model ${num(t.inference_ms)}`}, post-processing ${num(t.postprocess_ms)}`
        )}
        )
      </span>
      {result && (
        <span>
          {result.image.width}×{result.image.height} px
        </span>
      )}
      <span className={busy ? 'busy on' : 'busy'} data-testid="requests" data-sent={sent}>
        {busy ? 'detecting…' : 'idle'}
      </span>
    </div>
  );
}
