import { useState } from 'react';
import type { Detection } from '../../api/inference';
import { allText, textLines } from './logic';

interface Props {
  detections: Detection[];
  highlighted: number | null;
  onHighlight: (index: number | null) => void;
}

/** The text read, line by line in reading order. Hovering (or focusing) a line highlights its box on
 *  the image and the reverse; "Copy all text" puts every line on the clipboard. */
export function TextList({ detections, highlighted, onHighlight }: Props) {
  const [copied, setCopied] = useState<string | null>(null);
  const lines = textLines(detections);
  const copy = () => {
    navigator.clipboard.writeText(allText(detections)).then(
      () => setCopied('Copied.'),
      (e: Error) => setCopied(`Could not copy: ${e.message}`),
    );
  };
  return (
    <section className="inf-text" aria-label="Text read">
      <header>
        <h3>Text ({lines.length} lines)</h3>
        <button type="button" onClick={copy} disabled={lines.length === 0}>
          Copy all text
        </button>
        {copied && <span role="status">{copied}</span>}
      </header>
      <ol data-testid="text-list">
        {lines.map((line) => (
          <li key={line.join(',')}>
            {line.map((i) => (
              <span
                key={i}
                tabIndex={0}
                data-index={i}
                className={i === highlighted ? 'highlighted' : undefined}
                title={`#${i} confidence ${(detections[i].textScore ?? 0).toFixed(3)}`}
                onMouseEnter={() => onHighlight(i)}
                onMouseLeave={() => onHighlight(null)}
                onFocus={() => onHighlight(i)}
                onBlur={() => onHighlight(null)}
              >
                {detections[i].text}
              </span>
            ))}
          </li>
        ))}
      </ol>
    </section>
  );
}
