/**
 * Runs, live: the newest from GET /api/runs, then each unfinished run's progress from the
 * WebSocket. A row shows the run's status, progress, failures, engine and, with ground truth, its
 * precision, recall and H-mean under both protocols; finished runs link their files.
 */
import { useEffect, useState } from 'react';
import { cancelRun, fetchRun, followRuns, isRunFinished, listRuns, type Run } from '../api/runs';

const DISCOVER_EVERY_MS = 3000; // runs started elsewhere (a Studio, the CLI) are found by polling

function pct(x: number | undefined): string {
  return x === undefined ? '—' : (100 * x).toFixed(1);
}

export function Runs() {
  const [runs, setRuns] = useState<Run[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const discover = () =>
      listRuns()
        .then((list) => {
          if (!live) return;
          setError(null);
          setRuns(list.runs);
        })
        .catch((err: Error) => live && setError(err.message));
    void discover();
    const timer = setInterval(discover, DISCOVER_EVERY_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  const active = runs.filter((r) => !isRunFinished(r.status)).map((r) => r.run_id);
  const activeKey = active.join(',');
  useEffect(() => {
    const ids = activeKey ? activeKey.split(',') : [];
    return followRuns(ids, (u) => {
      setRuns((all) => all.map((r) => (r.run_id === u.run_id ? { ...r, status: u.status, done: u.done, failed: u.failed, error: u.error } : r)));
      if (isRunFinished(u.status)) {
        void fetchRun(u.run_id).then((full) => setRuns((all) => all.map((r) => (r.run_id === full.run_id ? full : r))));
      }
    });
  }, [activeKey]);

  const cancel = (runId: string) => cancelRun(runId).catch((err: Error) => setError(err.message));

  return (
    <main className="page runs">
      <h1>Runs</h1>
      <p>
        A run applies one pipeline (and detector) to a whole dataset. Start one from a Studio ("Run on a dataset") or with{' '}
        <code>ocr-playground batch</code>.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table className="runs-table">
        <thead>
          <tr>
            <th>run</th>
            <th>status</th>
            <th>progress</th>
            <th>failed</th>
            <th>engine</th>
            <th>dataset</th>
            <th title="ICDAR 2015 IoU">P / R / H (IoU)</th>
            <th title="DetEval">P / R / H (DetEval)</th>
            <th>files</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const iou = run.metrics?.['icdar2015-iou'];
            const dete = run.metrics?.deteval;
            return (
              <tr key={run.run_id} data-testid={`run-${run.run_id}`} data-status={run.status}>
                <td>
                  {run.run_id}
                  {run.name ? ` (${run.name})` : ''}
                </td>
                <td title={run.error ?? undefined}>{run.status}</td>
                <td>
                  <progress max={run.total} value={run.done} /> {run.done}/{run.total}
                </td>
                <td>{run.failed}</td>
                <td>{run.engine}</td>
                <td>{typeof run.spec.dataset === 'string' ? run.spec.dataset : `${run.total} images`}</td>
                <td data-testid="metrics-iou">{iou ? `${pct(iou.precision)} / ${pct(iou.recall)} / ${pct(iou.hmean)}` : '—'}</td>
                <td>{dete ? `${pct(dete.precision)} / ${pct(dete.recall)} / ${pct(dete.hmean)}` : '—'}</td>
                <td>
                  {Object.entries(run.files).map(([kind, path]) => (
                    <div key={kind} title={path}>
                      {kind}: <code>{path}</code>
                    </div>
                  ))}
                  {run.spec.gt && (
                    <div>
                      <a href={`#/lab?run=${encodeURIComponent(run.run_id)}`}>Evaluate</a>
                    </div>
                  )}
                  {!isRunFinished(run.status) && (
                    <button type="button" onClick={() => void cancel(run.run_id)}>
                      Cancel
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {runs.length === 0 && !error && <p>No runs yet.</p>}
    </main>
  );
}
