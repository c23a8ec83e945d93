import type { PageReport } from '../workers';

const PAGE_OPS = ['crop_document', 'background_removal'];

/** What the page ops found in the last result: the page and the finder's confidence, or that
 *  there was no page edge (and so the image was left unchanged). */
export function PageFound({ reports }: { reports: Record<string, PageReport> | undefined }) {
  const found = PAGE_OPS.filter((op) => reports?.[op]);
  if (!reports || found.length === 0) return null;
  return (
    <p className="page-found" role="status" data-testid="page-found">
      {found.map((op) => {
        const r = reports[op];
        return (
          <span key={op} data-op={op} data-found={r.quad ? 'yes' : 'no'} data-confidence={r.confidence}>
            {op}: {r.quad ? `page found (confidence ${r.confidence.toFixed(2)}), outlined on the original` : (r.note ?? 'no page edge found; the image is unchanged')}
          </span>
        );
      })}
    </p>
  );
}

/** The quad to draw over the original: the first page op's (both find the same page). */
export function pageQuad(reports: Record<string, PageReport> | undefined): [number, number][] | null {
  for (const op of PAGE_OPS) {
    const quad = reports?.[op]?.quad;
    if (quad) return quad;
  }
  return null;
}
