import { useMemo, useState } from 'react';
import type { CheckpointEntry } from '../../api/inference';
import { filterCheckpoints, formatBytes } from './logic';

interface Props {
  entries: CheckpointEntry[];
  /** The folder checkpoints are looked for in (the server's --checkpoints-root). */
  root: string | null;
  selected: string | null;
  onSelect: (checkpointPath: string) => void;
}

/** A searchable list of the server's checkpoints. Ones that cannot load stay listed (greyed, not
 *  selectable) with the server's sentence on why, so a `.ckpt` user learns to export to ONNX. */
export function CheckpointPicker({ entries, root, selected, onSelect }: Props) {
  const [query, setQuery] = useState('');
  const shown = useMemo(() => filterCheckpoints(entries, query), [entries, query]);
  return (
    <section className="inf-checkpoints" aria-label="Checkpoint">
      <h2>Checkpoint</h2>
      <input
        type="search"
        placeholder="Search checkpoints…"
        aria-label="search checkpoints"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <ul role="listbox" aria-label="checkpoints">
        {shown.map((e) => {
          const ready = e.status === 'ready';
          const isSelected = e.checkpoint_path === selected;
          return (
            <li
              key={e.checkpoint_path}
              role="option"
              aria-selected={isSelected}
              aria-disabled={!ready}
              data-checkpoint={e.checkpoint_path}
              className={`${ready ? 'ready' : 'not-loadable'}${isSelected ? ' selected' : ''}`}
              tabIndex={ready ? 0 : -1}
              onClick={() => ready && onSelect(e.checkpoint_path)}
              onKeyDown={(k) => {
                if (ready && (k.key === 'Enter' || k.key === ' ')) {
                  k.preventDefault();
                  onSelect(e.checkpoint_path);
                }
              }}
            >
              <div className="inf-ck-head">
                <span className="inf-ck-name">{e.display_name}</span>
                <span className={`inf-badge ${ready ? 'ok' : 'refused'}`}>{ready ? 'ready' : 'not loadable'}</span>
              </div>
              <div className="inf-ck-meta">
                <code>{e.checkpoint_path}</code> · {formatBytes(e.size_bytes)} · {e.modified.slice(0, 10)}
                {e.profile && ` · profile ${e.profile.name}`}
              </div>
              {e.reason && <p className="inf-ck-reason">{e.reason}</p>}
            </li>
          );
        })}
        {shown.length === 0 && (
          <li className="empty" data-testid="no-checkpoint">
            {entries.length ? `No checkpoint matches “${query}”.` : 'No checkpoints yet.'} Checkpoints are looked for under{' '}
            <code>{root ?? 'the checkpoints root'}</code> (<code>ocr-playground serve --checkpoints-root DIR</code>, or{' '}
            <code>OCRP_CHECKPOINTS_ROOT</code>): ONNX files, in any sub-folder.
          </li>
        )}
      </ul>
    </section>
  );
}
