import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { fetchImageBytes, fetchImages, fetchPipelines, type ImageEntry, type PipelinesResponse } from '../api/client';
import { OpControls, type OpState } from '../components/OpControls';
import { RunOnDataset } from '../components/RunOnDataset';
import { PageFound, pageQuad } from '../components/PageFound';
import { RunStats } from '../components/RunStats';
import { SplitView } from '../components/SplitView';
import { getProcessor } from '../engine';
import { RouteLine, type RouteState } from '../components/RouteLine';
import { getHybrid } from '../routing/hybrid';
import { useDebounced } from '../lib/debounce';
import { decodeImage } from '../lib/decode';
import { defaultsOf, fieldsOf } from '../lib/schema';
import { SupersededError, WorkerCrashedError, type OpenedImage, type PipelineParams, type PoolStatus, type Preview } from '../workers';
import { ImagePicker } from '../components/ImagePicker';

const PIPELINE = 'preprocessing';
const SLIDER_DEBOUNCE_MS = 75;
const SLIDER_MAX_WAIT_MS = 150; // a long drag still repaints a few times a second

/** The params map the pipeline takes: only the ops that are on, each with its full values. */
export function paramsFor(ops: string[], state: Record<string, OpState>): PipelineParams {
  const params: PipelineParams = {};
  for (const op of ops) if (state[op]?.enabled) params[op] = { ...state[op].values };
  return params;
}

export function Studio() {
  const processor = getProcessor();
  const hybrid = getHybrid(processor);
  const [catalog, setCatalog] = useState<PipelinesResponse | null>(null);
  const [serverImages, setServerImages] = useState<ImageEntry[]>([]);
  const [ops, setOps] = useState<Record<string, OpState>>({});
  const [opened, setOpened] = useState<(OpenedImage & { name: string; bytes: Uint8Array }) | null>(null);
  const [forceServer, setForceServer] = useState(false);
  const [route, setRoute] = useState<RouteState | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [status, setStatus] = useState<PoolStatus>({ size: processor.poolSize, queued: 0, running: 0, depth: 0 });
  const maxDepth = useRef(0);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    fetchPipelines()
      .then((c) => {
        setCatalog(c);
        const initial: Record<string, OpState> = {};
        for (const [name, info] of Object.entries(c.ops)) initial[name] = { enabled: false, values: defaultsOf(fieldsOf(info.params_schema)) };
        setOps(initial);
      })
      .catch((e: Error) => setError(`Could not load the pipelines from the server: ${e.message}`));
    fetchImages().then(setServerImages).catch(() => setServerImages([]));
  }, []);

  useEffect(
    () =>
      processor.subscribe((event) => {
        if (event.kind === 'status') {
          maxDepth.current = Math.max(maxDepth.current, event.status.depth);
          setStatus(event.status);
        } else if (event.kind === 'crash') {
          setNotice(`A worker crashed (${event.message}) and was restarted; the last preview was not finished.`);
        }
      }),
    [processor],
  );

  const pipelineOps = useMemo(() => catalog?.pipelines.find((p) => p.id === PIPELINE)?.ops ?? [], [catalog]);
  const params = useMemo(() => paramsFor(pipelineOps, ops), [pipelineOps, ops]);
  const paramsJson = JSON.stringify(params);
  const settledJson = useDebounced(paramsJson, SLIDER_DEBOUNCE_MS, SLIDER_MAX_WAIT_MS);

  useEffect(() => {
    if (!opened) return;
    let live = true;
    setBusy(true);
    hybrid
      .render({ opened, bytes: opened.bytes }, JSON.parse(settledJson) as PipelineParams, {
        pipelineId: PIPELINE,
        forceServer,
        onServerUpdate: (u, answer) => {
          if (live) setRoute({ phase: 'server', where: answer.routed_backend, status: u.status, progress: u.progress, jobId: u.job_id, taskId: u.task_id });
        },
      })
      .then((p) => {
        if (!live) return;
        setPreview(p);
        setRoute({
          phase: 'done',
          where: p.where,
          reason: p.decision.reason,
          origin: p.where === 'memo' ? hybrid.originOf(p.cacheKey) : undefined,
          jobId: p.jobId,
          taskId: p.taskId,
          serverCacheKey: p.serverCacheKey,
        });
        setError(null);
        setBusy(false);
      })
      .catch((e: Error) => {
        if (e instanceof SupersededError || !live) return; // a newer request owns the view
        setBusy(false);
        setRoute(null);
        setError(e instanceof WorkerCrashedError ? e.message : `The preview failed: ${e.message}`);
      });
    return () => {
      live = false;
    };
  }, [opened, settledJson, processor, hybrid, forceServer]);

  const openBlob = useCallback(
    async (blob: Blob, name: string) => {
      try {
        setError(null);
        const [bytes, image] = await Promise.all([blob.arrayBuffer(), decodeImage(blob)]);
        const o = await processor.open(bytes, image);
        maxDepth.current = 0;
        setPreview(null);
        setRoute(null);
        setOpened({ ...o, name, bytes: new Uint8Array(bytes) });
      } catch (e) {
        setError(`Could not open ${name}: ${(e as Error).message}`);
      }
    },
    [processor],
  );

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void openBlob(file, file.name);
  };

  const download = () => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="result-canvas"]');
    if (!canvas || !opened || !preview) return;
    canvas.toBlob((blob) => {
      if (!blob) return;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${opened.name.replace(/\.[^.]+$/, '')}-${preview.cacheKey.replace(':', '-')}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    }, 'image/png');
  };

  return (
    <main className="page studio" onDragOver={(e) => { e.preventDefault(); setDragging(true); }} onDragLeave={() => setDragging(false)} onDrop={onDrop}>
      <section className="toolbar" aria-label="Image">
        <ImagePicker
          serverImages={serverImages}
          onFile={(f) => void openBlob(f, f.name)}
          onServerImage={(path) =>
            fetchImageBytes(path).then((b) => openBlob(b, path)).catch((err: Error) => setError(err.message))
          }
        />
        <span className="image-name" data-testid="image-name">
          {opened ? `${opened.name} — ${opened.image.width}×${opened.image.height}` : 'or drop an image anywhere on this page'}
        </span>
        <label className="switch">
          <input type="checkbox" aria-label="run on server" checked={forceServer} onChange={(e) => setForceServer(e.target.checked)} />
          Run on server
        </label>
        <button type="button" onClick={download} disabled={!preview}>Download PNG</button>
        <RunOnDataset pipelineId="preprocessing" params={params} />
      </section>
      {error && <p role="alert" className="error">{error}</p>}
      {route && <RouteLine route={route} />}
      <PageFound reports={preview?.reports} />
      {notice && (
        <p role="status" className="notice">
          {notice} <button type="button" onClick={() => setNotice(null)}>dismiss</button>
        </p>
      )}
      <div className="workspace">
        <div className="controls" aria-label="Pipeline ops">
          {catalog ? (
            <OpControls ops={pipelineOps} info={catalog.ops} state={ops} onChange={(op, next) => setOps((s) => ({ ...s, [op]: next }))} />
          ) : (
            <p>Loading ops…</p>
          )}
        </div>
        <div className={dragging ? 'viewer dragging' : 'viewer'}>
          {opened ? (
            <SplitView before={opened.image} after={preview?.image ?? null} afterKey={preview?.cacheKey} quad={pageQuad(preview?.reports)} />
          ) : (
            <div className="dropzone">Open a receipt photo, pick one from the server, or drop it here.</div>
          )}
        </div>
        <RunStats preview={preview} status={status} maxDepth={maxDepth.current} busy={busy} />
      </div>
    </main>
  );
}
