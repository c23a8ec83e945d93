import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { fetchImageBytes, fetchImageListing, fetchPipelines, type ImageEntry, type PipelinesResponse } from '../api/client';
import { ExportPanel } from '../components/ExportPanel';
import { batchCommand, runCommand } from '../lib/cliCommands';
import { OpControls, type OpState } from '../components/OpControls';
import { RunOnDataset } from '../components/RunOnDataset';
import { PageFound, pageQuad } from '../components/PageFound';
import { RunStats } from '../components/RunStats';
import { SplitView, type Picture } from '../components/SplitView';
import { DownloadButton } from '../components/studio/DownloadButton';
import { PreviewScale } from '../components/studio/PreviewScale';
import { getProcessor } from '../engine';
import { RouteLine } from '../components/RouteLine';
import { getHybrid, type SourceImage } from '../routing/hybrid';
import { useRender } from '../routing/useRender';
import { defaultsOf, fieldsOf } from '../lib/schema';
import { decodePhoto, type PipelineParams, type PoolStatus } from '../workers';
import { ImagePicker } from '../components/ImagePicker';
import { applyOps, useRunHandoff } from '../components/eval/handoff';
import { PreprocessingAB } from '../components/eval/PreprocessingAB';

const PIPELINE = 'preprocessing';

interface Opened {
  name: string;
  /** The path the CLI reads it from, for an image under the server's data root. */
  serverPath?: string;
  source: SourceImage;
  /** What the "before" side shows: the decoded photo at its full size. */
  picture: Picture;
}

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
  const [dataRoot, setDataRoot] = useState<string | null>(null);
  const [ops, setOps] = useState<Record<string, OpState>>({});
  const [opened, setOpened] = useState<Opened | null>(null);
  const [forceServer, setForceServer] = useState(false);
  const [openError, setOpenError] = useState<string | null>(null);
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
      .catch((e: Error) => setOpenError(`Could not load the pipelines from the server: ${e.message}`));
    fetchImageListing()
      .then((l) => {
        setServerImages(l.images);
        setDataRoot(l.data_root);
      })
      .catch(() => setServerImages([]));
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

  const onOpChange = useCallback((op: string, next: OpState) => setOps((s) => ({ ...s, [op]: next })), []);
  const pipelineOps = useMemo(() => catalog?.pipelines.find((p) => p.id === PIPELINE)?.ops ?? [], [catalog]);
  const maxSide = catalog?.client_limits?.max_side;
  const params = useMemo(() => paramsFor(pipelineOps, ops), [pipelineOps, ops]);
  const paramsJson = JSON.stringify(params);
  const request = useMemo(
    () => (opened ? { source: opened.source, params: JSON.parse(paramsJson) as PipelineParams, forceServer, maxSide } : null),
    [opened, paramsJson, forceServer, maxSide],
  );
  const { preview, route, busy, error: renderError } = useRender(hybrid, PIPELINE, request);
  const error = openError ?? renderError;

  // A decoded photo holds its pixels until closed: the one shown is released once another is.
  const picture = opened?.picture ?? null;
  const shownPicture = useRef<Picture | null>(null);
  useEffect(() => {
    const previous = shownPicture.current;
    shownPicture.current = picture;
    if (previous && previous !== picture && 'close' in previous) previous.close();
  }, [picture]);

  const openBlob = useCallback(
    async (blob: Blob, name: string, serverPath?: string) => {
      try {
        setOpenError(null);
        // Decoded, and scaled to a proxy when over the client limit, in a worker: the page's
        // thread never holds the full-size pixels of a phone photo.
        const [bytes, photo] = await Promise.all([blob.arrayBuffer(), decodePhoto(blob, { maxSide, keepBitmap: true })]);
        const o = await processor.open(bytes, photo.image, { factor: photo.factor });
        maxDepth.current = 0;
        const source = { opened: o, bytes: new Uint8Array(bytes), width: photo.width, height: photo.height };
        setOpened({ name, serverPath, source, picture: photo.bitmap ?? photo.image });
      } catch (e) {
        setOpenError(`Could not open ${name}: ${(e as Error).message}`);
      }
    },
    [processor, maxSide],
  );

  // Opened from the Evaluation Lab: the run's image with the run's ops.
  useRunHandoff(
    catalog !== null,
    useCallback((h) => {
      setOps((s) => applyOps(s, h.spec.params));
      void openBlob(h.file, h.name);
    }, [openBlob]),
    setOpenError,
  );

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void openBlob(file, file.name);
  };

  return (
    <main className="page studio" onDragOver={(e) => { e.preventDefault(); setDragging(true); }} onDragLeave={() => setDragging(false)} onDrop={onDrop}>
      <section className="toolbar" aria-label="Image">
        <ImagePicker
          serverImages={serverImages}
          onFile={(f) => void openBlob(f, f.name)}
          onServerImage={(path) =>
            fetchImageBytes(path)
              .then((b) => openBlob(b, path, dataRoot ? `${dataRoot.replace(/\/$/, '')}/${path}` : undefined))
              .catch((err: Error) => setOpenError(err.message))
          }
        />
        <span className="image-name" data-testid="image-name">
          {opened ? `${opened.name} — ${opened.source.width}×${opened.source.height}` : 'or drop an image anywhere on this page'}
        </span>
        <label className="switch">
          <input type="checkbox" aria-label="run on server" checked={forceServer} onChange={(e) => setForceServer(e.target.checked)} />
          Run on server
        </label>
        <DownloadButton hybrid={hybrid} pipelineId={PIPELINE} source={opened?.source ?? null} name={opened?.name ?? ''} preview={preview} />
        {opened && (
          <ExportPanel
            items={[
              { label: 'params JSON', text: paramsJson },
              { label: 'CLI command (run)', text: runCommand(opened, params, PIPELINE) },
              { label: 'CLI command (batch)', text: batchCommand(opened, PIPELINE, params) },
            ]}
          />
        )}
        <RunOnDataset pipelineId="preprocessing" params={params} />
        <PreprocessingAB params={params} />
      </section>
      {error && <p role="alert" className="error">{error}</p>}
      {route && <RouteLine route={route} />}
      <PageFound reports={preview?.reports} />
      {opened && <PreviewScale width={opened.source.width} height={opened.source.height} factor={opened.source.opened.factor} preview={preview} />}
      {notice && (
        <p role="status" className="notice">
          {notice} <button type="button" onClick={() => setNotice(null)}>dismiss</button>
        </p>
      )}
      <div className="workspace">
        <div className="controls" aria-label="Pipeline ops">
          {catalog ? (
            <OpControls ops={pipelineOps} info={catalog.ops} state={ops} onChange={onOpChange} />
          ) : (
            <p>Loading ops…</p>
          )}
        </div>
        <div className={dragging ? 'viewer dragging' : 'viewer'}>
          {opened ? (
            <SplitView
              before={opened.picture}
              after={preview?.image ?? null}
              afterKey={preview?.cacheKey}
              afterParams={preview ? JSON.stringify(preview.params) : undefined}
              afterScale={preview?.scale}
              quad={pageQuad(preview?.reports)}
            />
          ) : (
            <div className="dropzone">Open a receipt photo, pick one from the server, or drop it here.</div>
          )}
        </div>
        <RunStats preview={preview} status={status} maxDepth={maxDepth.current} busy={busy} />
      </div>
    </main>
  );
}
