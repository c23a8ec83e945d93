/** "Run on a dataset": the Studio's current settings over a folder under the data root (with the
 *  Inference Studio's recognizer, when text is read: the run then scores the text too). The
 *  folder is picked from GET /api/runs/datasets, which also names ground truth found beside it. */
import { useEffect, useState } from 'react';
import { DatasetSelect } from './DatasetSelect';
import { listDatasets, startRun, type Dataset, type RunSpec } from '../api/runs';

interface Props {
  pipelineId: RunSpec['pipeline_id'];
  params: Record<string, unknown>;
  checkpointPath?: string | null;
  recognizerPath?: string | null;
}

export function RunOnDataset({ pipelineId, params, checkpointPath, recognizerPath }: Props) {
  const [open, setOpen] = useState(false);
  const [datasets, setDatasets] = useState<Dataset[] | null>(null);
  const [dataset, setDataset] = useState('');
  const [useGt, setUseGt] = useState(true);
  const [engine, setEngine] = useState<'local' | 'ray'>('local');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open || datasets) return;
    listDatasets()
      .then((list) => {
        setDatasets(list);
        if (list.length) setDataset(list.find((d) => d.gt)?.path ?? list[0].path);
      })
      .catch((err: Error) => setError(err.message));
  }, [open, datasets]);

  const chosen = datasets?.find((d) => d.path === dataset);
  const start = () => {
    setError(null);
    setMessage(null);
    const gt = pipelineId === 'inference' && useGt ? chosen?.gt ?? null : null;
    startRun({ dataset, pipeline_id: pipelineId, params, checkpoint_path: checkpointPath ?? null, recognizer_path: recognizerPath ?? null, gt, engine })
      .then((r) => setMessage(`${r.run_id} started on ${r.total} images.`))
      .catch((err: Error) => setError(err.message));
  };

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Run on a dataset…
      </button>
    );
  }
  return (
    <section className="run-on-dataset" aria-label="Run on a dataset">
      <DatasetSelect label="dataset" datasets={datasets ?? []} value={dataset} onChange={setDataset} />
      {pipelineId === 'inference' && chosen?.gt && (
        <label>
          <input type="checkbox" checked={useGt} onChange={(e) => setUseGt(e.target.checked)} /> score against {chosen.gt}
        </label>
      )}
      <label>
        Engine{' '}
        <select aria-label="engine" value={engine} onChange={(e) => setEngine(e.target.value as 'local' | 'ray')}>
          <option value="local">local</option>
          <option value="ray">ray</option>
        </select>
      </label>
      <button type="button" onClick={start} disabled={!datasets || datasets.length === 0}>
        Start run
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Close
      </button>
      {message && (
        <p role="status">
          {message} <a href="#/runs">Follow it on the Runs page</a>
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
