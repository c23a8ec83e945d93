import { useState } from 'react';
import { parseCommand, type ParseResponse } from '../../api/commands';

/** Paste a command line; the server reads it back into form values (POST /api/commands/parse). */
interface Props {
  schemaId: string;
  /** How this schema's commands start (`python train.py`), for the placeholder. */
  prefix: string;
  onParsed: (parsed: ParseResponse) => void;
}

export function PasteCommand({ schemaId, prefix, onParsed }: Props) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    try {
      onParsed(await parseCommand(schemaId, text));
      setError(null);
      setText('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="cmd-panel" aria-label="Paste a command">
      <h2>Paste a command</h2>
      <textarea
        aria-label="Command line to read into the form"
        rows={3}
        spellCheck={false}
        value={text}
        placeholder={`${prefix} …`}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="button" disabled={!text.trim() || busy} onClick={() => void submit()}>
        Fill the form
      </button>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}
