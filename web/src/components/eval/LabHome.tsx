/**
 * The Lab's first page: runs to evaluate (those with ground truth first), two to compare, a run
 * from a predictions file, and, for a first look without data of one's own, the demo receipts
 * (`make run` generates them with ground truth) with a button that runs the Lab on them.
 */
import { useEffect, useState } from 'react';
import { fetchCheckpoints } from '../../api/inference';
import { isRunFinished, listDatasets, listRuns, startRun, type Dataset, type Run } from '../../api/runs';
import { hashLink } from '../../router';
import { DatasetSelect } from '../DatasetSelect';

export const DEMO_DATASET = 'demo-receipts/images';
const pct = (x: number | undefined) => (x === undefined ? '—' : (100 * x).toFixed(1));

export function LabHome() {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [datasets, setDatasets] = useState<Dataset[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [a, setA] = useState('');
  const [b, setB] = useState('');

  useEffect(() => {
    listRuns(200)
      .then((l) => setRuns(l.runs))
      .catch((e: Error) => setError(e.message));
    listDatasets()
      .then(setDatasets)
      .catch(() => setDatasets([]));
  }, []);

  const scored = (runs ?? []).filter((r) => r.spec.gt);
  const comparable = scored.filter((r) => isRunFinished(r.status));
  return (
    <main className="page ev-page">
      <h1>Evaluation Lab</h1>
      <p>
        Which images fail, and why; is run B better than run A or is the difference noise; which thresholds and preprocessing to ship. Start runs from a
        Studio ("Run on a dataset"), with <code>ocr-playground batch</code>, or import predictions made elsewhere.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <DemoOffer datasets={datasets} runs={runs ?? []} onError={setError} />
      <section aria-label="Runs with ground truth">
        <h2>Runs with ground truth</h2>
        {runs && scored.length === 0 && <p>No run with ground truth yet.</p>}
        <ul className="ev-runs" data-testid="lab-runs">
          {scored.map((r) => (
            <li key={r.run_id}>
              <a href={hashLink('/lab', { run: r.run_id })}>
                {r.run_id}
                {r.name ? ` (${r.name})` : ''}
              </a>{' '}
              {r.status}, {typeof r.spec.dataset === 'string' ? r.spec.dataset : `${r.total} images`}, H-mean {pct(r.metrics?.['icdar2015-iou']?.hmean)}
              {r.text_metrics ? `, word F1 ${pct(r.text_metrics.words.f1)}` : ''}
            </li>
          ))}
        </ul>
      </section>
      {comparable.length > 1 && (
        <section aria-label="Compare two runs">
          <h2>Compare two runs</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (a && b) window.location.hash = hashLink('/lab', { a, b });
            }}
          >
            {(
              [
                ['A (baseline)', a, setA],
                ['B (change)', b, setB],
              ] as const
            ).map(([label, value, set]) => (
              <label key={label}>
                {label}{' '}
                <select aria-label={label} value={value} onChange={(e) => set(e.target.value)}>
                  <option value="">choose…</option>
                  {comparable.map((r) => (
                    <option key={r.run_id} value={r.run_id}>
                      {r.run_id}
                      {r.name ? ` (${r.name})` : ''}
                    </option>
                  ))}
                </select>{' '}
              </label>
            ))}
            <button type="submit" disabled={!a || !b}>
              Compare
            </button>
          </form>
        </section>
      )}
      <ImportPredictions datasets={datasets} onError={setError} />
    </main>
  );
}

function DemoOffer({ datasets, runs, onError }: { datasets: Dataset[]; runs: Run[]; onError: (m: string) => void }) {
  const demo = datasets.find((d) => d.path === DEMO_DATASET && d.gt);
  const [starting, setStarting] = useState(false);
  if (!demo) return null;
  const example = runs.find((r) => r.spec.dataset === DEMO_DATASET && r.status === 'completed' && r.metrics);
  const start = async () => {
    setStarting(true);
    try {
      const checkpoint = (await fetchCheckpoints()).checkpoints.find((c) => c.status === 'ready');
      if (!checkpoint) throw new Error('no detector is available (install the demo extra, or put an .onnx model under the checkpoints root)');
      const r = await startRun({ dataset: DEMO_DATASET, gt: demo.gt, pipeline_id: 'inference', params: {}, checkpoint_path: checkpoint.checkpoint_path, name: 'demo' });
      window.location.hash = hashLink('/lab', { run: r.run_id });
    } catch (e) {
      onError(`Could not start the demo run: ${(e as Error).message}`);
      setStarting(false);
    }
  };
  return (
    <section className="notice ev-demo" aria-label="Demo">
      <strong>First look:</strong> {demo.images} generated receipts with ground truth are in <code>{demo.path}</code>.{' '}
      {example ? (
        <a href={hashLink('/lab', { run: example.run_id })}>Open the example run</a>
      ) : (
        <button type="button" onClick={() => void start()} disabled={starting}>
          {starting ? 'Starting…' : 'Run the Lab on the demo receipts'}
        </button>
      )}
    </section>
  );
}

function ImportPredictions({ datasets, onError }: { datasets: Dataset[]; onError: (m: string) => void }) {
  const [dataset, setDataset] = useState('');
  const [predictions, setPredictions] = useState('');
  const [name, setName] = useState('');
  const chosen = datasets.find((d) => d.path === dataset);
  const submit = () =>
    startRun({ dataset, predictions, gt: chosen?.gt ?? null, pipeline_id: 'inference', params: {}, name: name || null })
      .then((r) => {
        window.location.hash = hashLink('/lab', { run: r.run_id });
      })
      .catch((e: Error) => onError(e.message));
  return (
    <section aria-label="Import predictions">
      <h2>Score predictions made elsewhere</h2>
      <p className="cmd-muted">
        Competition JSON, or a CSV <code>filename,polygons</code> with polygons <code>x1 y1 x2 y2 …|x1 y1 …</code>; the file goes under the data root
        (or use <code>ocr-playground runs import DATASET FILE --gt GT</code>).
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <DatasetSelect label="import dataset" datasets={datasets} value={dataset} onChange={setDataset} placeholder="choose…" />{' '}
        <label>
          Predictions file <input aria-label="predictions file" placeholder="preds/model.json" value={predictions} onChange={(e) => setPredictions(e.target.value)} />
        </label>{' '}
        <label>
          Name <input aria-label="run name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>{' '}
        <button type="submit" disabled={!dataset || !predictions}>
          Import
        </button>
      </form>
    </section>
  );
}
