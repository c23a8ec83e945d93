import { memo } from 'react';
import type { PoolStatus, Preview } from '../workers';

interface Props {
  preview: Preview | null;
  status: PoolStatus;
  maxDepth: number;
  busy: boolean;
}

/** What the workers just did: per-op timings, the queue, the memo, the cache key. */
export const RunStats = memo(function RunStats({ preview, status, maxDepth, busy }: Props) {
  return (
    <aside className="stats" aria-label="Run statistics">
      <dl>
        <dt>Worker queue depth</dt>
        <dd data-testid="queue-depth" data-max-depth={maxDepth} aria-live="polite">
          {status.depth} <small>(max {maxDepth}, {status.size} worker{status.size > 1 ? 's' : ''})</small>
        </dd>
        <dt>State</dt>
        <dd data-testid="run-state">{busy ? 'running…' : preview ? (preview.fromMemo ? 'memo hit' : 'done') : 'idle'}</dd>
        {preview && (
          <>
            <dt>Total</dt>
            <dd data-testid="total-ms">{preview.totalMs.toFixed(1)} ms</dd>
            <dt>Cache key</dt>
            <dd><code data-testid="cache-key">{preview.cacheKey}</code></dd>
            <dt>Output</dt>
            <dd>{preview.image.width}×{preview.image.height}</dd>
          </>
        )}
      </dl>
      {preview && preview.timings.length > 0 && (
        <table className="timings" aria-label="Per-op timings">
          <thead>
            <tr><th>op</th><th>ms</th><th>kernel</th></tr>
          </thead>
          <tbody>
            {preview.timings.map((t) => (
              <tr key={t.op} data-op={t.op} data-engine={t.engine}>
                <td>{t.op}</td>
                <td>{preview.fromMemo ? '(memo)' : t.ms.toFixed(1)}</td>
                <td>{t.engine === 'simd' ? 'WebAssembly SIMD' : 'TypeScript'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
});
