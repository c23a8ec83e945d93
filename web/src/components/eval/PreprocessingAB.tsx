/**
 * Preprocessing A/B in one step, from the Preprocessing Studio: the same detector over a dataset
 * with ground truth, once without preprocessing (A) and once with this pipeline (B); when both
 * finish, their comparison opens in the Lab.
 */
import { useEffect, useState } from 'react';
import { fetchCheckpoints, type CheckpointEntry } from '../../api/inference';
import { cancelRun, followRuns, isRunFinished, listDatasets, startRun, type Dataset, type RunStatus } from '../../api/runs';
import { hashLink } from '../../router';
import { DatasetSelect } from '../DatasetSelect';

export function PreprocessingAB({ params }: { params: Record<string, unknown> }) {
  const [open, setOpen] = useState(false);
  const [datasets, setDatasets] = useState<Dataset[]>([]);
  const [checkpoints, setCheckpoints] = useState<CheckpointEntry[]>([]);
  const [dataset, setDataset] = useState('');
  const [checkpoint, setCheckpoint] = useState('');
  const [pair, setPair] = useState<{ a: string; b: string } | null>(null);
  const [states, setStates] = useState<Record<string, { status: RunStatus; done: number; total: number }>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    listDatasets()
      .then((list) => {
        const scored = list.filter((d) => d.gt);
        setDatasets(scored);
        setDataset((d) => d || scored[0]?.path || '');
      })
      .catch((e: Error) => setError(e.message));
    fetchCheckpoints()
      .then(({ checkpoints: list }) => {
        const ready = list.filter((c) => c.status === 'ready');
        setCheckpoints(ready);
        setCheckpoint((c) => c || ready[0]?.checkpoint_path || '');
      })
      .catch((e: Error) => setError(e.message));
  }, [open]);

  const key = pair ? `${pair.a},${pair.b}` : '';
  useEffect(() => {
    if (!pair) return;
    return followRuns([pair.a, pair.b], (u) => setStates((s) => ({ ...s, [u.run_id]: { status: u.status, done: u.done, total: u.total } })));
  }, [key]);

  useEffect(() => {
    if (!pair) return;
    const [sa, sb] = [states[pair.a], states[pair.b]];
    if (sa && sb && isRunFinished(sa.status) && isRunFinished(sb.status)) window.location.hash = hashLink('/lab', { a: pair.a, b: pair.b });
  }, [states, pair]);

  const start = async () => {
    setError(null);
    const gt = datasets.find((d) => d.path === dataset)?.gt ?? null;
    const base = { dataset, gt, pipeline_id: 'inference' as const, checkpoint_path: checkpoint };
    try {
      const a = await startRun({ ...base, params: {}, name: 'no preprocessing' });
      try {
        const b = await startRun({ ...base, params, name: 'this pipeline' });
        setPair({ a: a.run_id, b: b.run_id });
      } catch (e) {
        void cancelRun(a.run_id).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      setError(`Could not start the A/B runs: ${(e as Error).message}`);
    }
  };

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Compare with no preprocessing…
      </button>
    );
  }
  return (
    <section className="run-on-dataset" aria-label="Preprocessing A/B">
      <DatasetSelect label="A/B dataset" datasets={datasets} value={dataset} onChange={setDataset} />
      <label>
        Detector{' '}
        <select aria-label="A/B detector" value={checkpoint} onChange={(e) => setCheckpoint(e.target.value)}>
          {checkpoints.map((c) => (
            <option key={c.checkpoint_path} value={c.checkpoint_path}>
              {c.display_name}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => void start()} disabled={!dataset || !checkpoint || pair !== null}>
        Start A/B
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Close
      </button>
      {datasets.length === 0 && <p className="cmd-muted">No dataset under the data root has ground truth (a gt.json beside its images).</p>}
      {pair && (
        <p role="status" data-testid="ab-progress">
          {[pair.a, pair.b].map((id, i) => (
            <span key={id}>
              {i ? 'B' : 'A'} {id}: {states[id] ? `${states[id].status} ${states[id].done}/${states[id].total}` : 'queued'}{' '}
            </span>
          ))}
          — the comparison opens when both finish.
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
