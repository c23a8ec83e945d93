import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { fetchImageListing, fetchPipelines, imageUrl, type ImageEntry, type PipelinesResponse } from '../api/client';
import { ExportPanel } from '../components/ExportPanel';
import { batchCommand, detectCommand } from '../lib/cliCommands';
import {
  fetchCheckpoints,
  fetchInferenceSchema,
  fetchRecognizers,
  postPreview,
  type CheckpointEntry,
  type ImageRef,
  type InferenceParams,
  type PreviewRequest,
  type PreviewResponse,
  type RecognizerEntry,
} from '../api/inference';
import { CheckpointPicker } from '../components/inference/CheckpointPicker';
import { DetectionOverlay } from '../components/inference/DetectionOverlay';
import { ImageSource } from '../components/inference/ImageSource';
import { OpControls, type OpState } from '../components/OpControls';
import { RunSummary } from '../components/inference/RunSummary';
import { RunOnDataset } from '../components/RunOnDataset';
import { TextList } from '../components/inference/TextList';
import { applyOps, useRunHandoff } from '../components/eval/handoff';
import { ThresholdControls } from '../components/inference/ThresholdControls';
import { predictionsFileName, predictionsJson, thresholdDefaults, thresholdFields, tunedThresholds, type ThresholdField } from '../components/inference/logic';
import { LatestOnly, type LatestOnlyStats } from '../lib/latest';
import { defaultsOf, fieldsOf } from '../lib/schema';
import { saveBlob } from '../lib/save';

// The server runs the same ops as the Preprocessing Studio before detection.
const PIPELINE = 'preprocessing';
const THRESHOLD_DEBOUNCE_MS = 100;

interface OpenedImage {
  /** Bumped per opening, so reopening the same file is a new image. */
  id: number;
  /** The name written into the predictions JSON: the file name, or the path under the data root. */
  name: string;
  /** The path the CLI reads it from, for an image under the server's data root. */
  serverPath?: string;
  /** What the <img> shows: an object URL or the server's image route. */
  src: string;
  ref: ImageRef;
}

interface Shown {
  imageId: number;
  response: PreviewResponse;
  roundTripMs: number;
}

type Query = PreviewRequest & { imageId: number };


function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

export function Inference() {
  const [checkpoints, setCheckpoints] = useState<CheckpointEntry[]>([]);
  const [checkpointsRoot, setCheckpointsRoot] = useState<string | null>(null);
  const [refusedOps, setRefusedOps] = useState<string[]>([]);
  const [checkpoint, setCheckpoint] = useState<string | null>(null);
  // null while the schema loads; [] when it failed (detection then runs on the server's defaults).
  const [fields, setFields] = useState<ThresholdField[] | null>(null);
  const [thresholds, setThresholds] = useState<Record<string, unknown>>({});
  const [catalog, setCatalog] = useState<PipelinesResponse | null>(null);
  const [opState, setOpState] = useState<Record<string, OpState>>({});
  const [serverImages, setServerImages] = useState<ImageEntry[]>([]);
  const [dataRoot, setDataRoot] = useState<string | null>(null);
  const [image, setImage] = useState<OpenedImage | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [stats, setStats] = useState<LatestOnlyStats>({ sent: 0, dropped: 0, maxInFlight: 0 });
  const [showScores, setShowScores] = useState(true);
  // Reading text costs a recognizer run per line, so it is off until asked for.
  const [recognizers, setRecognizers] = useState<RecognizerEntry[]>([]);
  const [recognizer, setRecognizer] = useState<string>('');
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const nextImageId = useRef(1);
  // Opened from a run: while the model and settings are the run's as first shown, requests carry
  // the run's own params (the same meaning, the same cache key), so a finished item answers.
  const fromRun = useRef<{ params: InferenceParams; shown: string | null } | null>(null);
  const runner = useRef<LatestOnly<Query, { response: PreviewResponse; roundTripMs: number }> | null>(null);

  useEffect(() => {
    fetchCheckpoints()
      .then(({ checkpoints: list, root }) => {
        setCheckpoints(list);
        setCheckpointsRoot(root);
        // A new user sees detection at once: the first ready model (the demo one) is preselected.
        setCheckpoint((current) => current ?? list.find((e) => e.status === 'ready')?.checkpoint_path ?? null);
      })
      .catch((e: Error) => setLoadError(`Could not list the checkpoints: ${e.message}`));
    fetchInferenceSchema()
      .then((schema) => {
        setRefusedOps(schema.refused_ops);
        const f = thresholdFields(schema.detection);
        setFields(f);
        setThresholds(thresholdDefaults(f));
      })
      .catch((e: Error) => {
        setFields([]);
        setLoadError(`Could not load the detection thresholds (the server's defaults apply): ${e.message}`);
      });
    fetchPipelines()
      .then((c) => {
        setCatalog(c);
        const initial: Record<string, OpState> = {};
        for (const [name, info] of Object.entries(c.ops)) initial[name] = { enabled: false, values: defaultsOf(fieldsOf(info.params_schema)) };
        setOpState(initial);
      })
      .catch((e: Error) => setLoadError(`Could not load the preprocessing ops: ${e.message}`));
    fetchImageListing()
      .then((l) => {
        setServerImages(l.images);
        setDataRoot(l.data_root);
      })
      .catch(() => setServerImages([]));
    fetchRecognizers().then(setRecognizers).catch(() => setRecognizers([]));
  }, []);

  useEffect(() => {
    const r = new LatestOnly<Query, { response: PreviewResponse; roundTripMs: number }>(
      async ({ imageId: _id, ...body }) => {
        const started = performance.now();
        const response = await postPreview(body);
        return { response, roundTripMs: performance.now() - started };
      },
      {
        onResult: ({ response, roundTripMs }, q) => {
          setShown({ imageId: q.imageId, response, roundTripMs });
          setError(null);
          setStats({ ...r.stats });
        },
        onError: (e) => {
          setError(`The detection failed: ${(e as Error).message}`);
          setStats({ ...r.stats });
        },
        onBusy: (b) => {
          setBusy(b);
          setStats({ ...r.stats });
        },
      },
      THRESHOLD_DEBOUNCE_MS,
    );
    runner.current = r;
    return () => r.dispose();
  }, []);

  // The preprocessing ops detection takes: the pipeline's, less those it refuses (crop_document).
  const ops = useMemo(
    () => (catalog?.pipelines.find((p) => p.id === PIPELINE)?.ops ?? []).filter((op) => !refusedOps.includes(op)),
    [catalog, refusedOps],
  );

  // A change of image, checkpoint or op switch is one click: it goes out at once. A threshold or
  // an op's param is dragged: it goes out once the slider rests for the debounce delay. Either way
  // one request at a time.
  const switches = ops.filter((op) => opState[op]?.enabled);
  const immediateKey = JSON.stringify([image?.id, checkpoint, switches, recognizer]);
  const thresholdsKey = JSON.stringify([thresholds, switches.map((op) => opState[op].values)]);
  const lastImmediate = useRef('');
  const params: InferenceParams = { detection: thresholds };
  for (const op of switches) params[op] = { ...opState[op].values };
  useEffect(() => {
    const r = runner.current;
    if (!r || !image || !checkpoint || fields === null) return;
    const asShown = JSON.stringify([checkpoint, recognizer, params]);
    const h = fromRun.current;
    if (h && h.shown === null) h.shown = asShown; // the first request after the hand-off
    const sent = h && h.shown === asShown ? h.params : params;
    const q: Query = { ...image.ref, checkpoint_path: checkpoint, params: sent, imageId: image.id };
    if (recognizer) q.recognizer_path = recognizer;
    if (immediateKey !== lastImmediate.current) {
      lastImmediate.current = immediateKey;
      r.requestNow(q);
    } else {
      r.request(q);
    }
    // The keys stand for the objects they serialise (a new object with equal content is no change).
  }, [immediateKey, thresholdsKey, fields, ops]);

  // The object URL of a local file lives as long as it is the open image.
  useEffect(() => {
    const src = image?.src;
    return () => {
      if (src?.startsWith('blob:')) URL.revokeObjectURL(src);
    };
  }, [image]);

  const openFile = useCallback(async (file: File) => {
    try {
      const dataUrl = await readAsDataUrl(file);
      const id = nextImageId.current++;
      setImage({ id, name: file.name, src: URL.createObjectURL(file), ref: { image_base64: dataUrl } });
      setError(null);
    } catch (e) {
      setError(`Could not read ${file.name}: ${(e as Error).message}`);
    }
  }, []);

  const openServerImage = useCallback((path: string) => {
    const id = nextImageId.current++;
    const serverPath = dataRoot ? `${dataRoot.replace(/\/$/, '')}/${path}` : undefined;
    setImage({ id, name: path, serverPath, src: imageUrl(path), ref: { image_path: path } });
    setError(null);
  }, [dataRoot]);

  // Opened from the Evaluation Lab: the run's image, checkpoint, thresholds and ops.
  useRunHandoff(
    fields !== null && catalog !== null && checkpointsRoot !== null,
    useCallback((h) => {
      if (h.spec.checkpoint_path) setCheckpoint(h.spec.checkpoint_path);
      setRecognizer(h.spec.recognizer_path ?? '');
      // What the run left out, the server took from the model's sidecar: so does the Studio.
      const tuned = tunedThresholds(checkpoints.find((c) => c.checkpoint_path === h.spec.checkpoint_path));
      setThresholds((t) => ({ ...t, ...tuned, ...((h.spec.params.detection as Record<string, unknown>) ?? {}) }));
      fromRun.current = { params: h.spec.params as InferenceParams, shown: null };
      setOpState((state) => applyOps(state, h.spec.params));
      void openFile(h.file);
    }, [openFile, checkpoints]),
    setLoadError,
  );

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void openFile(file);
  };

  // Polygons belong to the image they were found on: none are drawn over a newly opened one.
  const current = shown && image && shown.imageId === image.id ? shown : null;

  const download = () => {
    if (!current || !image) return;
    const json = JSON.stringify(predictionsJson(image.name, current.response.detections), null, 1);
    saveBlob(new Blob([json], { type: 'application/json' }), predictionsFileName(image.name));
  };

  const selectedEntry = checkpoints.find((c) => c.checkpoint_path === checkpoint);
  // A model whose sidecar holds tuned thresholds (a sweep's "save as defaults") starts from them.
  const selectCheckpoint = (path: string) => {
    setCheckpoint(path);
    const tuned = tunedThresholds(checkpoints.find((c) => c.checkpoint_path === path));
    setThresholds((t) => ({ ...t, ...tuned }));
  };

  return (
    <main
      className={`page inference${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <aside className="inf-side">
        <CheckpointPicker entries={checkpoints} root={checkpointsRoot} selected={checkpoint} onSelect={selectCheckpoint} />
        {catalog && (
          <fieldset className="inf-toggles">
            <legend>Preprocessing</legend>
            <OpControls ops={ops} info={catalog.ops} state={opState} onChange={(op, next) => setOpState((s) => ({ ...s, [op]: next }))} />
          </fieldset>
        )}
        {fields && fields.length > 0 && (
          <ThresholdControls
            fields={fields}
            values={thresholds}
            onChange={(name, value) => setThresholds((t) => ({ ...t, [name]: value }))}
            onReset={() => setThresholds(thresholdDefaults(fields))}
          />
        )}
      </aside>
      <section className="inf-main">
        <ImageSource serverImages={serverImages} onFile={(f) => void openFile(f)} onServerImage={openServerImage} />
        <div className="toolbar">
          <span data-testid="image-name">{image ? image.name : 'No image open'}</span>
          <span data-testid="selected-checkpoint">{selectedEntry ? selectedEntry.display_name : 'no checkpoint chosen'}</span>
          <label>
            <input type="checkbox" checked={showScores} onChange={(e) => setShowScores(e.target.checked)} /> scores
          </label>
          <label>
            read text{' '}
            <select aria-label="recognizer" value={recognizer} onChange={(e) => setRecognizer(e.target.value)}>
              <option value="">off</option>
              {recognizers.map((r) => (
                <option key={r.recognizer_path} value={r.recognizer_path}>
                  {r.display_name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={download} disabled={!current}>
            Download predictions JSON
          </button>
          {image && checkpoint && (
            <ExportPanel
              items={[
                { label: 'params JSON', text: JSON.stringify(params) },
                { label: 'CLI command (detect)', text: detectCommand(image, checkpoint, params, recognizer || undefined) },
                { label: 'CLI command (batch)', text: batchCommand(image, 'inference', params, checkpoint, recognizer || undefined) },
              ]}
            />
          )}
          <RunOnDataset pipelineId="inference" params={params} checkpointPath={checkpoint} recognizerPath={recognizer || null} />
        </div>
        <RunSummary result={current?.response ?? null} roundTripMs={current?.roundTripMs ?? null} busy={busy} sent={stats.sent} />
        <span hidden data-testid="request-stats" data-sent={stats.sent} data-dropped={stats.dropped} data-max-in-flight={stats.maxInFlight} />
        {loadError && <p className="error">{loadError}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
            {current && ' The polygons shown are from the previous settings.'}
          </p>
        )}
        {image ? (
          <DetectionOverlay
            src={image.src}
            alt={image.name}
            imageSize={current?.response.image ?? null}
            detections={current?.response.detections ?? []}
            showScores={showScores}
            highlighted={highlighted}
            onHighlight={setHighlighted}
          />
        ) : (
          <p className="inf-empty">Open an image (or drop one here) to detect text with {selectedEntry?.display_name ?? 'a checkpoint'}.</p>
        )}
        {current?.response.recognizer_path && (
          <TextList detections={current.response.detections} highlighted={highlighted} onHighlight={setHighlighted} />
        )}
      </section>
    </main>
  );
}
