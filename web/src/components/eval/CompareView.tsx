/**
 * Is B better than A? On detection H-mean, or (runs that read text) on word F1, CER or end-to-end
 * H-mean: the aggregates of both runs on their shared images, the difference with its
 * paired-bootstrap 95 % interval and the verdict, a per-image scatter, and the images B fixed and
 * broke; any of them opens side by side with both runs' marks and text (one zoom for both; ←/→
 * walk the list, Esc closes). Exports: the per-image CSV and a self-contained HTML report.
 */
import { useEffect, useState } from 'react';
import {
  compareCsvUrl,
  compareReportUrl,
  compareRuns,
  fetchItem,
  itemImageUrl,
  PROTOCOL_LABEL,
  PROTOCOLS,
  type CompareMetric,
  type Comparison,
  type ItemDetail,
  type Protocol,
} from '../../api/lab';
import { hashLink } from '../../router';
import { ImageViewer } from './ImageViewer';
import { changeText, COMPARE_METRICS, LOWER_IS_BETTER, MEASURE_LABEL, type View } from './logic';
import { Scatter } from './Scatter';

interface Props {
  a: string;
  b: string;
  protocol: Protocol;
  metric: CompareMetric;
  image: string | null;
}

const pct = (x: number | string | null) => (typeof x === 'number' ? (100 * x).toFixed(2) : '—');
const signed = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}`);
const go = (a: string, b: string, protocol: Protocol, metric: CompareMetric, image?: string | null) => {
  window.location.hash = hashLink('/lab', { a, b, protocol, metric: metric === 'hmean' ? null : metric, image });
};

export function CompareView({ a, b, protocol, metric, image }: Props) {
  const [result, setResult] = useState<Comparison | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setResult(null);
    setError(null);
    compareRuns(a, b, protocol, metric)
      .then((r) => live && setResult(r))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [a, b, protocol, metric]);

  const open = (name: string | null) => go(a, b, protocol, metric, name);
  const label = MEASURE_LABEL[metric] ?? metric;
  return (
    <main className="page ev-page">
      <p>
        <a href={hashLink('/lab')}>← Evaluation Lab</a>
      </p>
      <h1>
        Compare B <a href={hashLink('/lab', { run: b })}>{b}</a> against A <a href={hashLink('/lab', { run: a })}>{a}</a>
      </h1>
      <p role="group" aria-label="Compare on">
        Compare on{' '}
        {COMPARE_METRICS.map((m) => (
          <label key={m.value}>
            <input type="radio" name="cmp-metric" value={m.value} checked={m.value === metric} onChange={() => go(a, b, protocol, m.value)} /> {m.label}
          </label>
        ))}
      </p>
      {metric === 'hmean' ? (
        <p role="group" aria-label="Protocol">
          {PROTOCOLS.map((p) => (
            <label key={p}>
              <input type="radio" name="cmp-protocol" checked={p === protocol} onChange={() => go(a, b, p, metric)} /> {PROTOCOL_LABEL[p]}
            </label>
          ))}
        </p>
      ) : (
        <p className="cmd-muted">Text pairs each detection with a ground-truth line as ICDAR 2015 does (IoU &gt; 0.5), whatever the protocol.</p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!result && !error && <p role="status">Comparing (2,000 bootstrap resamples)…</p>}
      {result && (
        <div data-testid="comparison" data-images={result.images} data-metric={result.metric}>
          {result.shared.note && <p className="notice">{result.shared.note}</p>}
          <p className="ev-verdict" data-testid="verdict">
            {result.verdict}
          </p>
          <table className="ev-summary">
            <thead>
              <tr>
                <th>metric (%)</th>
                <th>A {result.a.name ?? ''}</th>
                <th>B {result.b.name ?? ''}</th>
                <th>B − A</th>
                <th>95 % interval</th>
              </tr>
            </thead>
            <tbody>
              {Object.keys(result.delta).map((m) => (
                <tr key={m} data-metric={m} className={m === result.metric ? 'selected' : undefined}>
                  <td>
                    {MEASURE_LABEL[m] ?? m}
                    {LOWER_IS_BETTER.has(m) ? ' (lower is better)' : ''}
                  </td>
                  <td>{pct(result.a[m])}</td>
                  <td>{pct(result.b[m])}</td>
                  <td data-testid={`delta-${m}`}>{signed(result.delta[m])}</td>
                  <td>
                    [{signed(result.ci95[m][0])}, {signed(result.ci95[m][1])}]
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="cmd-muted">
            {result.images} images, paired bootstrap with {result.resamples} resamples (seed {result.seed}); aggregates from summed counts.{' '}
            <a href={compareCsvUrl(a, b, protocol, metric)} download>
              Export CSV
            </a>{' '}
            ·{' '}
            <a href={compareReportUrl(a, b, protocol, metric)} download>
              HTML report
            </a>
          </p>
          <div className="ev-compare-lists">
            <Scatter points={result.per_image} label={label} metric={result.metric} onPick={open} />
            <ChangeList title="Fixed (B better)" testId="fixed-list" names={result.fixed} result={result} onOpen={open} />
            <ChangeList title="Broke (B worse)" testId="broke-list" names={result.broke} result={result} onOpen={open} />
          </div>
          {image && <SideBySide a={a} b={b} protocol={protocol} image={image} result={result} onOpen={open} />}
        </div>
      )}
    </main>
  );
}

function ChangeList({ title, testId, names, result, onOpen }: { title: string; testId: string; names: string[]; result: Comparison; onOpen: (n: string) => void }) {
  const scores = new Map(result.per_image.map((p) => [p.name, p]));
  return (
    <section className="ev-change" aria-label={title}>
      <h2>
        {title}: {names.length}
      </h2>
      <ol data-testid={testId}>
        {names.map((name) => {
          const s = scores.get(name)!;
          return (
            <li key={name} data-name={name} data-a={s.a} data-b={s.b}>
              <button type="button" className="ev-link" onClick={() => onOpen(name)}>
                {name}
              </button>{' '}
              {pct(s.a)} → {pct(s.b)}
              {s.a !== null && s.b !== null ? ` (${changeText(s.a, s.b)})` : ''}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function SideBySide({ a, b, protocol, image, result, onOpen }: { a: string; b: string; protocol: Protocol; image: string; result: Comparison; onOpen: (n: string | null) => void }) {
  const [details, setDetails] = useState<[ItemDetail | null, ItemDetail | null]>([null, null]);
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
  // ←/→ walk the list the image is in (fixed, broke, or every image).
  const list = result.fixed.includes(image) ? result.fixed : result.broke.includes(image) ? result.broke : result.per_image.map((p) => p.name);
  const index = list.indexOf(image);

  useEffect(() => {
    let live = true;
    setView(null);
    setDetails([null, null]);
    Promise.all([fetchItem(a, image, protocol), fetchItem(b, image, protocol)])
      .then((d) => live && setDetails(d))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [a, b, image, protocol]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onOpen(null);
      else if (e.key === 'ArrowRight' && index + 1 < list.length) onOpen(list[index + 1]);
      else if (e.key === 'ArrowLeft' && index > 0) onOpen(list[index - 1]);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, list, onOpen]);

  return (
    <div className="ev-dialog" role="dialog" aria-label={`${image} in A and B`} data-testid="side-by-side">
      <div className="ev-dialog-bar">
        <strong>{image}</strong>
        <button type="button" disabled={index <= 0} onClick={() => onOpen(list[index - 1])}>
          ← previous
        </button>
        <button type="button" disabled={index < 0 || index + 1 >= list.length} onClick={() => onOpen(list[index + 1])}>
          next →
        </button>
        <button type="button" onClick={() => onOpen(null)}>
          Close (Esc)
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      <div className="ev-pair">
        <ImageViewer src={itemImageUrl(a, image)} detail={details[0]} label={`A ${a}`} view={view} onView={setView} testId="viewer-a" />
        <ImageViewer src={itemImageUrl(b, image)} detail={details[1]} label={`B ${b}`} view={view} onView={setView} testId="viewer-b" />
      </div>
    </div>
  );
}
