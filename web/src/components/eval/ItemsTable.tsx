/**
 * A run's items, worst first: sortable by any column (a click on a header; again flips it),
 * filterable (failed, with misses, with false detections), paged, and keyboard navigable: with the
 * table focused, ↑/↓ (or k/j), Home/End and PageUp/PageDown move the selection, Enter opens it.
 * The metric columns are whatever numeric metrics the items carry under the protocol, then, in a
 * run that reads text, its text figures (word F1, CER, end to end; sortable too).
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { Item, ItemFilter, Protocol } from '../../api/lab';
import { formatMetric, metricColumns, moveSelection, nextSort, SORTABLE, textColumns, textValue, type Sort } from './logic';

interface Props {
  items: Item[];
  total: number;
  protocol: Protocol;
  sort: Sort;
  onSort: (sort: Sort) => void;
  filter: ItemFilter | null;
  onFilter: (filter: ItemFilter | null) => void;
  offset: number;
  pageSize: number;
  onOffset: (offset: number) => void;
  selected: number;
  onSelect: (index: number) => void;
  onOpen: (item: Item) => void;
  csvUrl: string;
}

const FILTERS: { value: ItemFilter | null; label: string }[] = [
  { value: null, label: 'all' },
  { value: 'failed', label: 'failed' },
  { value: 'misses', label: 'with misses' },
  { value: 'false_detections', label: 'with false detections' },
];
const MISREAD = { value: 'misread' as const, label: 'with a line misread' };

const LABELS: Record<string, string> = {
  hmean: 'H-mean',
  precision: 'precision',
  recall: 'recall',
  tp: 'matched',
  fp: 'false det.',
  fn: 'missed',
  gt: 'words',
  det: 'det.',
  word_f1: 'word F1',
  cer: 'CER',
  e2e_hmean: 'end to end',
};

export function ItemsTable(props: Props) {
  const { items, total, protocol, sort, onSort, filter, onFilter, offset, pageSize, onOffset, selected, onSelect, onOpen } = props;
  const body = useRef<HTMLTableSectionElement>(null);
  const columns = metricColumns(items, protocol);
  const texts = textColumns(items);
  const filters = texts.length || filter === 'misread' ? [...FILTERS, MISREAD] : FILTERS;

  useEffect(() => {
    body.current?.querySelector(`[data-index="${selected}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && items[selected]) {
      onOpen(items[selected]);
      e.preventDefault();
      return;
    }
    const next = moveSelection(e.key, selected, items.length);
    if (next !== null) {
      onSelect(next);
      e.preventDefault();
    }
  };

  const header = (key: string, label: string) => {
    const sortable = SORTABLE.has(key);
    const active = sort.key === key;
    return (
      <th key={key} aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}>
        {sortable ? (
          <button type="button" className="ev-sort" data-sort={key} onClick={() => onSort(nextSort(sort, key))}>
            {label} {active ? (sort.order === 'asc' ? '▲' : '▼') : ''}
          </button>
        ) : (
          label
        )}
      </th>
    );
  };

  return (
    <section className="ev-items" aria-label="Items">
      <div className="ev-items-bar">
        <span role="group" aria-label="Filter">
          {filters.map((f) => (
            <label key={f.label}>
              <input type="radio" name="ev-filter" checked={filter === f.value} onChange={() => onFilter(f.value)} /> {f.label}
            </label>
          ))}
        </span>
        <span data-testid="items-total">{total} items</span>
        <a href={props.csvUrl} download>
          Export CSV
        </a>
      </div>
      <div className="ev-table-wrap" tabIndex={0} onKeyDown={onKeyDown} aria-label="Items table: arrows move, Enter opens" data-testid="items-table">
        <table className="ev-table">
          <thead>
            <tr>
              {header('name', 'image')}
              {header('status', 'status')}
              {header('detections', 'detections')}
              {columns.map((c) => header(c, LABELS[c] ?? c))}
              {texts.map((c) => header(c, LABELS[c] ?? c))}
              {header('time', 'ms')}
            </tr>
          </thead>
          <tbody ref={body}>
            {items.map((item, i) => {
              const m = item.metrics?.[protocol];
              return (
                <tr
                  key={item.name}
                  data-index={i}
                  data-name={item.name}
                  aria-selected={i === selected}
                  className={i === selected ? 'selected' : undefined}
                  onClick={() => onSelect(i)}
                  onDoubleClick={() => onOpen(item)}
                >
                  <td>
                    <button type="button" className="ev-link" onClick={() => onOpen(item)}>
                      {item.name}
                    </button>
                  </td>
                  <td title={item.error ?? undefined}>{item.status}</td>
                  <td>{item.detections ?? '—'}</td>
                  {columns.map((c) => (
                    <td key={c} data-metric={c}>
                      {formatMetric(c, m?.[c])}
                    </td>
                  ))}
                  {texts.map((c) => (
                    <td key={c} data-metric={c}>
                      {formatMetric(c, textValue(item.text_metrics, c))}
                    </td>
                  ))}
                  <td>{item.timings.total?.toFixed(0) ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="ev-pager">
        <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
          ← previous page
        </button>
        <span>
          {total === 0 ? 0 : offset + 1}–{Math.min(total, offset + pageSize)} of {total}
        </span>
        <button type="button" disabled={offset + pageSize >= total} onClick={() => onOffset(offset + pageSize)}>
          next page →
        </button>
      </div>
    </section>
  );
}
