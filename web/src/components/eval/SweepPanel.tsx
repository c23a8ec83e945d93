/**
 * Threshold sweep of a finished run: a grid over thresh × boxThresh × unclipRatio (the server's
 * default, or the user's values), progress from the WebSocket, then a heatmap of the H-mean
 * (thresh × boxThresh, one unclipRatio at a time) with the best point per protocol, and "save as
 * this checkpoint's defaults" after a confirmation.
 */
import { useCallback, useEffect, useState } from 'react';
import { fetchSweep, PROTOCOL_LABEL, saveDefaults, startSweep, type Grid, type Protocol, type Sweep } from '../../api/lab';
import { followRuns, type RunUpdate } from '../../api/runs';
import { heatColour, parseValues } from './logic';

const DEFAULT_TEXT = { thresh: '0.2, 0.3, 0.4', boxThresh: '0.4, 0.5, 0.6, 0.7, 0.8', unclipRatio: '1.2, 1.5, 1.8, 2.1' };
const LIMITS: Record<keyof Grid, [number, number]> = { thresh: [0, 1], boxThresh: [0, 1], unclipRatio: [0.01, 10] };

interface Props {
  runId: string;
  protocol: Protocol;
  checkpoint: string;
}

export function SweepPanel({ runId, protocol, checkpoint }: Props) {
  const [sweep, setSweep] = useState<Sweep | null>(null);
  const [progress, setProgress] = useState<RunUpdate['sweep'] | null>(null);
  const [text, setText] = useState(DEFAULT_TEXT);
  const [unclip, setUnclip] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback(() => {
    fetchSweep(runId, protocol)
      .then((s) => {
        if (s.status === 'none') return;
        setSweep(s);
        setUnclip((u) => (u !== null && s.grid.unclipRatio.includes(u) ? u : s.best[protocol]?.unclipRatio ?? s.grid.unclipRatio[0]));
      })
      .catch((e: Error) => setError(e.message));
  }, [runId, protocol]);
  useEffect(load, [load]);

  // Progress from the WebSocket wins over the last fetched state (the socket sends the current one
  // on subscribe, so a sweep that ends before the subscription is still seen to end).
  const status = progress?.status ?? sweep?.status;
  const active = status === 'queued' || status === 'running';
  useEffect(() => {
    if (!active) return;
    return followRuns([runId], (u) => {
      if (!u.sweep) return;
      setProgress(u.sweep);
      if (u.sweep.status === 'completed' || u.sweep.status === 'failed') load();
    });
  }, [active, runId, load]);

  const parsed = (Object.keys(text) as (keyof Grid)[]).map((k) => [k, parseValues(text[k], LIMITS[k][0], LIMITS[k][1], k)] as const);
  const problem = parsed.find(([, v]) => typeof v === 'string')?.[1] as string | undefined;
  const grid = problem ? null : (Object.fromEntries(parsed) as unknown as Grid);
  const points = grid ? grid.thresh.length * grid.boxThresh.length * grid.unclipRatio.length : 0;

  const start = () => {
    setError(null);
    setSaved(null);
    if (!grid) return;
    startSweep(runId, grid)
      .then((s) => setProgress({ sweep_id: s.sweep_id, status: s.status, done: 0, failed: 0, total: s.total, error: null }))
      .catch((e: Error) => setError(e.message));
  };

  const save = () => {
    setConfirming(false);
    saveDefaults(runId, protocol)
      .then((r) => setSaved(`Saved ${JSON.stringify(r.detection)} into ${r.sidecar}: detection with ${r.checkpoint_path} now uses them by default.`))
      .catch((e: Error) => setError(e.message));
  };

  const best = sweep?.status === 'completed' ? sweep.best[protocol] : null;
  const builtin = checkpoint.startsWith('builtin:');
  return (
    <section className="ev-sweep" aria-label="Threshold sweep">
      <h2>Threshold sweep</h2>
      <p className="cmd-muted">
        The model runs once per image; every point of the grid re-runs only post-processing and scoring on its probability map.
      </p>
      <div className="ev-grid-form">
        {(Object.keys(text) as (keyof Grid)[]).map((k) => (
          <label key={k}>
            {k}{' '}
            <input aria-label={`sweep ${k}`} value={text[k]} onChange={(e) => setText((t) => ({ ...t, [k]: e.target.value }))} />
          </label>
        ))}
        <button type="button" onClick={start} disabled={!grid || active}>
          Sweep {points} points
        </button>
      </div>
      {problem && <p className="error">{problem}</p>}
      {active && progress && (
        <p role="status" data-testid="sweep-progress">
          Sweeping: <progress max={progress.total} value={progress.done} /> {progress.done}/{progress.total} images
        </p>
      )}
      {sweep?.status === 'failed' && !active && <p className="error">The last sweep failed: {sweep.error}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {sweep?.status === 'completed' && unclip !== null && (
        <>
          <Heatmap sweep={sweep} unclip={unclip} onUnclip={setUnclip} protocol={protocol} />
          <ul className="ev-best" data-testid="sweep-best">
            {Object.entries(sweep.best).map(([p, b]) => (
              <li key={p}>
                best under {PROTOCOL_LABEL[p as Protocol]}: thresh {b.thresh}, boxThresh {b.boxThresh}, unclipRatio {b.unclipRatio} → H-mean{' '}
                {(100 * b.hmean).toFixed(2)} (P {(100 * b.precision).toFixed(1)}, R {(100 * b.recall).toFixed(1)})
              </li>
            ))}
          </ul>
          <p className="cmd-muted">
            {sweep.model_calls} model calls for {sweep.total} images and {sweep.points.length} points.
          </p>
          {best &&
            (builtin ? (
              <p className="cmd-muted">The built-in model's files belong to an installed package, so its defaults cannot be saved; copy it under the checkpoints root to tune it.</p>
            ) : confirming ? (
              <p className="notice" role="alertdialog" aria-label="Confirm saving defaults">
                Write thresh {best.thresh}, boxThresh {best.boxThresh}, unclipRatio {best.unclipRatio} into the sidecar of {checkpoint}? Detection with this
                model will use them wherever a request leaves them out.{' '}
                <button type="button" onClick={save}>
                  Save
                </button>{' '}
                <button type="button" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
              </p>
            ) : (
              <button type="button" onClick={() => setConfirming(true)}>
                Save as this checkpoint's defaults…
              </button>
            ))}
          {saved && <p role="status">{saved}</p>}
        </>
      )}
    </section>
  );
}

function Heatmap({ sweep, unclip, onUnclip, protocol }: { sweep: Sweep; unclip: number; onUnclip: (u: number) => void; protocol: Protocol }) {
  const { thresh, boxThresh, unclipRatio } = sweep.grid;
  const best = sweep.best[protocol];
  // Colours span the sweep's own range, so small differences between points still show.
  const values = sweep.points.map((p) => p.hmean ?? 0);
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const shade = (h: number) => heatColour(hi > lo ? (h - lo) / (hi - lo) : 1);
  const at = (t: number, b: number) => sweep.points.find((p) => p.thresh === t && p.boxThresh === b && p.unclipRatio === unclip);
  const cell = 46;
  const left = 60;
  const top = 24;
  return (
    <figure className="ev-chart">
      <label>
        unclipRatio{' '}
        <select aria-label="heatmap unclipRatio" value={unclip} onChange={(e) => onUnclip(Number(e.target.value))}>
          {unclipRatio.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
      </label>
      <svg
        width={left + boxThresh.length * cell + 10}
        height={top + thresh.length * cell + 30}
        role="img"
        aria-label={`H-mean for each thresh and boxThresh at unclipRatio ${unclip}`}
        data-testid="sweep-chart"
        data-points={sweep.points.length}
      >
        {boxThresh.map((b, j) => (
          <text key={b} x={left + j * cell + cell / 2} y={top - 6} fontSize="11" textAnchor="middle">
            {b}
          </text>
        ))}
        {thresh.map((t, i) => (
          <g key={t}>
            <text x={left - 6} y={top + i * cell + cell / 2 + 4} fontSize="11" textAnchor="end">
              {t}
            </text>
            {boxThresh.map((b, j) => {
              const p = at(t, b);
              const h = p?.hmean ?? 0;
              const isBest = best && best.thresh === t && best.boxThresh === b && best.unclipRatio === unclip;
              return (
                <g key={b} data-testid="sweep-cell" data-hmean={h}>
                  <rect x={left + j * cell} y={top + i * cell} width={cell - 2} height={cell - 2} fill={shade(h)} stroke={isBest ? '#000' : 'none'} strokeWidth={3}>
                    <title>{`thresh ${t}, boxThresh ${b}, unclipRatio ${unclip}: H-mean ${(100 * h).toFixed(2)}`}</title>
                  </rect>
                  <text x={left + j * cell + cell / 2 - 1} y={top + i * cell + cell / 2 + 3} fontSize="10" textAnchor="middle" fill={hi > lo && (h - lo) / (hi - lo) < 0.6 ? '#fff' : '#000'}>
                    {(100 * h).toFixed(1)}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
        <text x={left + (boxThresh.length * cell) / 2} y={top + thresh.length * cell + 20} fontSize="11" textAnchor="middle">
          columns: boxThresh · rows: thresh · H-mean {(100 * lo).toFixed(1)}–{(100 * hi).toFixed(1)} %
        </text>
      </svg>
    </figure>
  );
}
