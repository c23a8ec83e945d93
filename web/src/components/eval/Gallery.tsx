/** The worst images of a run as thumbnails with their marks drawn by the server (same colours). */
import { itemImageUrl, type Item, type Protocol } from '../../api/lab';

export function Gallery({ runId, items, protocol, onOpen }: { runId: string; items: Item[]; protocol: Protocol; onOpen: (item: Item) => void }) {
  if (items.length === 0) return null;
  return (
    <section className="ev-gallery" aria-label="Worst images">
      <h2>Worst images</h2>
      <ul>
        {items.map((item) => (
          <li key={item.name}>
            <button type="button" onClick={() => onOpen(item)} title={item.name}>
              <img src={itemImageUrl(runId, item.name, { maxSide: 220, marks: protocol })} alt={item.name} loading="lazy" />
              <span>
                {item.name} · H {((item.metrics?.[protocol]?.hmean ?? 0) * 100).toFixed(1)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
