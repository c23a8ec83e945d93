import { useState } from 'react';
import { fetchResult } from '../../api/jobs';
import { saveBlob } from '../../lib/save';
import type { HybridRenderer, Rendered, SourceImage } from '../../routing/hybrid';
import { cacheKeyFromDigest } from '../../workers/cacheKey';

interface Props {
  hybrid: HybridRenderer;
  pipelineId: string;
  source: SourceImage | null;
  name: string;
  preview: Rendered | null;
}

/**
 * "Download PNG" always gives the full-resolution result of the params on screen. A preview made
 * on a proxy (or capped in size) is only a preview: the PNG is made on the server and saved as
 * the server wrote it. A server result is saved as the server wrote it too; a full-size picture
 * from the workers (equal to the server's, by the parity suite) is saved from the canvas.
 */
export function DownloadButton({ hybrid, pipelineId, source, name, preview }: Props) {
  const [state, setState] = useState<string | null>(null);
  const reduced = preview !== null && (preview.scale < 1 || preview.factor > 1);

  const download = async () => {
    if (!source || !preview) return;
    const key = await cacheKeyFromDigest(pipelineId, source.opened.digest, preview.params);
    const file = `${name.replace(/\.[^.]+$/, '')}-${key.replace(':', '-')}.png`;
    try {
      if (reduced) {
        setState('making the full-resolution PNG on the server…');
        const { blob } = await hybrid.fullResolution(source, preview.params, {
          pipelineId,
          onServerUpdate: (u) => setState(`the server is making the full-resolution PNG: ${u.status} ${(u.progress * 100).toFixed(0)}%`),
        });
        saveBlob(blob, file);
      } else if (preview.jobId) {
        saveBlob(await fetchResult(preview.jobId), file);
      } else {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="result-canvas"]');
        const blob = await new Promise<Blob | null>((resolve) => canvas?.toBlob(resolve, 'image/png') ?? resolve(null));
        if (!blob) throw new Error('the canvas gave no PNG');
        saveBlob(blob, file);
      }
      setState(null);
    } catch (e) {
      setState(`Could not download: ${(e as Error).message}`);
    }
  };

  return (
    <span className="download">
      <button type="button" onClick={() => void download()} disabled={!preview || (state !== null && !state.startsWith('Could not'))}>
        Download PNG{reduced ? ' (full resolution)' : ''}
      </button>
      {state && <small role="status" data-testid="download-state">{state}</small>}
    </span>
  );
}
