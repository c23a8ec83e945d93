/**
 * One run's Evaluation page: aggregates under both protocols (and the text figures of a run that
 * reads text), the histogram of per-image H-mean,
 * the worst images, the items table (worst first), the threshold sweep, and the image viewer
 * (`image=` in the hash) with ←/→ through the table's order and links into the Studios.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  fetchHistogram,
  fetchItem,
  fetchItems,
  itemImageUrl,
  itemsCsvUrl,
  type Histogram as HistogramData,
  type Item,
  type ItemDetail,
  type ItemFilter,
  type Protocol,
} from '../../api/lab';
import { fetchRun, followRuns, isRunFinished, listRuns, type Run } from '../../api/runs';
import { hashLink } from '../../router';
import { Gallery } from './Gallery';
import { studioLink } from './handoff';
import { Histogram } from './Histogram';
import { ImageViewer } from './ImageViewer';
import { ItemsTable } from './ItemsTable';
import { formatMetric, textValue, worstFirst, type Sort } from './logic';
import { MetricsSummary, TextSummary } from './MetricsSummary';
import { SweepPanel } from './SweepPanel';

const PAGE = 100;
const GALLERY = 8;

interface Props {
  runId: string;
  protocol: Protocol;
  image: string | null;
}

const go = (runId: string, protocol: Protocol, image?: string | null) => {
  window.location.hash = hashLink('/lab', { run: runId, protocol, image });
};

export function RunEvaluation({ runId, protocol, image }: Props) {
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<Sort>(worstFirst('hmean'));
  const [filter, setFilter] = useState<ItemFilter | null>(null);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ items: Item[]; total: number } | null>(null);
  const [selected, setSelected] = useState(0);
  const [worst, setWorst] = useState<Item[]>([]);
  const [histogram, setHistogram] = useState<HistogramData | null>(null);

  useEffect(() => {
    let live = true;
    fetchRun(runId)
      .then((r) => live && setRun(r))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [runId]);

  const finished = run ? isRunFinished(run.status) : false;
  useEffect(() => {
    if (!run || finished) return;
    return followRuns([runId], (u) => {
      setRun((r) => (r ? { ...r, status: u.status, done: u.done, failed: u.failed } : r));
      if (isRunFinished(u.status)) void fetchRun(runId).then(setRun);
    });
  }, [run?.run_id, finished, runId]);

  const scored = run?.spec.gt != null;
  useEffect(() => {
    if (!finished) return;
    let live = true;
    fetchItems(runId, { sort: sort.key, order: sort.order, protocol, filter, limit: PAGE, offset })
      .then((p) => {
        if (!live) return;
        setPage(p);
        setSelected((s) => Math.min(s, Math.max(0, p.items.length - 1)));
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [runId, finished, sort, protocol, filter, offset]);

  useEffect(() => {
    if (!finished || !scored) return;
    fetchItems(runId, { sort: 'hmean', order: 'asc', protocol, filter: null, limit: GALLERY, offset: 0 })
      .then((p) => setWorst(p.items.filter((i) => i.status === 'completed')))
      .catch(() => setWorst([]));
    fetchHistogram(runId, protocol)
      .then(setHistogram)
      .catch(() => setHistogram(null));
  }, [runId, finished, scored, protocol]);

  const open = useCallback((name: string | null) => go(runId, protocol, name), [runId, protocol]);

  if (error) {
    return (
      <main className="page ev-page">
        <p>
          <a href={hashLink('/lab')}>← Evaluation Lab</a>
        </p>
        <p role="alert" className="error">
          {error}
        </p>
      </main>
    );
  }
  if (!run) return <main className="page ev-page">Loading {runId}…</main>;
  const items = page?.items ?? [];
  return (
    <main className="page ev-page" data-testid="run-evaluation" data-status={run.status}>
      <p>
        <a href={hashLink('/lab')}>← Evaluation Lab</a>
      </p>
      <h1>
        {run.name ?? run.run_id} <small>{run.run_id}</small>
      </h1>
      <p className="cmd-muted">
        {typeof run.spec.dataset === 'string' ? run.spec.dataset : `${run.total} images`} · {run.spec.predictions ? `predictions ${run.spec.predictions}` : run.spec.checkpoint_path ?? 'no detector'} ·{' '}
        {run.spec.recognizer_path && <>reads text with {run.spec.recognizer_path} · </>}
        params <code>{JSON.stringify(run.spec.params)}</code> · {run.status}, {run.done}/{run.total}
        {run.failed ? `, ${run.failed} failed` : ''}
      </p>
      {!finished && (
        <p role="status">
          Running: <progress max={run.total} value={run.done} /> {run.done}/{run.total} images. The evaluation appears when it finishes.
        </p>
      )}
      {finished && !scored && <p className="notice">This run has no ground truth: the items show detections but no scores.</p>}
      {finished && run.metrics && (
        <div className="ev-top">
          <MetricsSummary metrics={run.metrics} protocol={protocol} onProtocol={(p) => go(runId, p, image)} />
          {run.text_metrics && <TextSummary metrics={run.text_metrics} />}
          {histogram && <Histogram data={histogram} />}
          <CompareWith runId={runId} />
        </div>
      )}
      {finished && <Gallery runId={runId} items={worst} protocol={protocol} onOpen={(i) => open(i.name)} />}
      {finished && page && (
        <ItemsTable
          items={items}
          total={page.total}
          protocol={protocol}
          sort={sort}
          onSort={(s) => {
            setSort(s);
            setOffset(0);
          }}
          filter={filter}
          onFilter={(f) => {
            setFilter(f);
            setOffset(0);
          }}
          offset={offset}
          pageSize={PAGE}
          onOffset={setOffset}
          selected={selected}
          onSelect={setSelected}
          onOpen={(i) => open(i.name)}
          csvUrl={itemsCsvUrl(runId, protocol, filter, sort.key, sort.order)}
        />
      )}
      {finished && scored && run.spec.checkpoint_path && <SweepPanel runId={runId} protocol={protocol} checkpoint={run.spec.checkpoint_path} />}
      {image && (
        <ItemDialog
          run={run}
          protocol={protocol}
          image={image}
          order={items.map((i) => i.name)}
          onOpen={(name) => {
            const at = items.findIndex((i) => i.name === name);
            if (at >= 0) setSelected(at);
            open(name);
          }}
        />
      )}
    </main>
  );
}

function CompareWith({ runId }: { runId: string }) {
  const [runs, setRuns] = useState<Run[]>([]);
  const [other, setOther] = useState('');
  useEffect(() => {
    listRuns(200)
      .then((l) => setRuns(l.runs.filter((r) => r.run_id !== runId && r.metrics && isRunFinished(r.status))))
      .catch(() => setRuns([]));
  }, [runId]);
  if (runs.length === 0) return null;
  return (
    <form
      className="ev-compare-with"
      onSubmit={(e) => {
        e.preventDefault();
        if (other) window.location.hash = hashLink('/lab', { a: other, b: runId });
      }}
    >
      <label>
        Compare this run (B) with A{' '}
        <select aria-label="baseline run" value={other} onChange={(e) => setOther(e.target.value)}>
          <option value="">choose a run…</option>
          {runs.map((r) => (
            <option key={r.run_id} value={r.run_id}>
              {r.run_id}
              {r.name ? ` (${r.name})` : ''}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit" disabled={!other}>
        Compare
      </button>
    </form>
  );
}

function ItemDialog({ run, protocol, image, order, onOpen }: { run: Run; protocol: Protocol; image: string; order: string[]; onOpen: (name: string | null) => void }) {
  const [detail, setDetail] = useState<ItemDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const index = order.indexOf(image);

  useEffect(() => {
    let live = true;
    setDetail(null);
    setError(null);
    fetchItem(run.run_id, image, protocol)
      .then((d) => live && setDetail(d))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [run.run_id, image, protocol]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onOpen(null);
      else if ((e.key === 'ArrowRight' || e.key === 'n') && index >= 0 && index + 1 < order.length) onOpen(order[index + 1]);
      else if ((e.key === 'ArrowLeft' || e.key === 'p') && index > 0) onOpen(order[index - 1]);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, order, onOpen]);

  const m = detail?.metrics?.[protocol];
  const text = detail?.text_metrics;
  const model = !run.spec.predictions && run.spec.pipeline_id === 'inference';
  return (
    <div className="ev-dialog" role="dialog" aria-label={`Image ${image}`} data-testid="item-dialog" data-image={image}>
      <div className="ev-dialog-bar">
        <strong>{image}</strong>
        {index >= 0 && (
          <span>
            {index + 1} of {order.length} (←/→)
          </span>
        )}
        <button type="button" disabled={index <= 0} onClick={() => onOpen(order[index - 1])}>
          ← previous
        </button>
        <button type="button" disabled={index < 0 || index + 1 >= order.length} onClick={() => onOpen(order[index + 1])}>
          next →
        </button>
        {m && (
          <span data-testid="item-scores">
            P {(100 * m.precision).toFixed(1)} · R {(100 * m.recall).toFixed(1)} · H {(100 * m.hmean).toFixed(1)}
          </span>
        )}
        {text && (
          <span data-testid="item-text-scores">
            CER {formatMetric('cer', textValue(text, 'cer'))} · word F1 {formatMetric('word_f1', textValue(text, 'word_f1'))} · end to end{' '}
            {formatMetric('e2e_hmean', textValue(text, 'e2e_hmean'))}
          </span>
        )}
        {detail?.error && <span className="error">{detail.error}</span>}
        {model && <a href={studioLink('/inference', run.run_id, image)}>Open in the Inference Studio</a>}
        <a href={studioLink('/', run.run_id, image)}>Open in the Preprocessing Studio</a>
        <button type="button" onClick={() => onOpen(null)}>
          Close (Esc)
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      <ImageViewer key={image} src={itemImageUrl(run.run_id, image)} detail={detail} />
    </div>
  );
}
