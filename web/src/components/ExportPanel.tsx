import { useState } from 'react';

export interface ExportItem {
  /** "params JSON", "CLI command (run)", ...: the button reads "Copy <label>". */
  label: string;
  text: string;
}

/** "Export what was tuned": each item shown in full (what is copied is what is on screen) with
 *  its Copy button. */
export function ExportPanel({ items }: { items: ExportItem[] }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (item: ExportItem) => {
    try {
      await navigator.clipboard.writeText(item.text);
      setCopied(`Copied the ${item.label}.`);
    } catch (e) {
      setCopied(`Could not copy (${(e as Error).message}); select the text and copy it by hand.`);
    }
  };
  return (
    <details className="export" data-testid="export">
      <summary>Export</summary>
      {items.map((item) => (
        <div key={item.label} className="export-item">
          <button type="button" onClick={() => void copy(item)}>Copy {item.label}</button>
          <pre data-testid={`export-${item.label}`}>{item.text}</pre>
        </div>
      ))}
      {copied && <p role="status">{copied}</p>}
    </details>
  );
}
