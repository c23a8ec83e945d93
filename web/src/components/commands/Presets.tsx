import { useEffect, useState } from 'react';
import { fetchRecommendations, type Recommendation } from '../../api/commands';

interface Props {
  schemaId: string;
  /** The form's architecture, when it has one: presets for it (and for any) are listed. */
  architecture: string | null;
  /** The preset the form currently equals, if any. */
  appliedId: string | null;
  onApply: (preset: Recommendation) => void;
}

/** Presets for common runs (GET /api/commands/recommendations), filtered by the chosen architecture. */
export function Presets({ schemaId, architecture, appliedId, onApply }: Props) {
  const [onlyArch, setOnlyArch] = useState(true);
  const [presets, setPresets] = useState<Recommendation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const filter = onlyArch ? architecture : null;

  useEffect(() => {
    let live = true; // an answer for an older filter must not replace the newer list
    fetchRecommendations({ schemaId, architecture: filter })
      .then((list) => {
        if (!live) return;
        setPresets(list);
        setError(null);
      })
      .catch((e: Error) => live && setError(`Could not load the presets: ${e.message}`));
    return () => {
      live = false;
    };
  }, [schemaId, filter]);

  return (
    <section className="cmd-panel" aria-label="Recommendations">
      <h2>Recommendations</h2>
      {architecture && (
        <label className="cmd-small">
          <input type="checkbox" checked={onlyArch} onChange={(e) => setOnlyArch(e.target.checked)} /> only for {architecture}
        </label>
      )}
      {error && <p className="error">{error}</p>}
      {presets?.length === 0 && <p className="cmd-muted">No presets for this command.</p>}
      <ul className="cmd-presets">
        {presets?.map((p) => (
          <li key={p.id} className={p.id === appliedId ? 'applied' : undefined}>
            <button type="button" onClick={() => onApply(p)} aria-label={`Use preset ${p.label}`} aria-pressed={p.id === appliedId}>
              <span className="cmd-preset-label">{p.label}</span>
              {p.architecture && <span className="cmd-badge">{p.architecture}</span>}
              <span className="cmd-preset-desc">{p.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
