// Every series of a file with its labels, loaded page by page as the window scrolls: a 100 MB
// file holds hundreds of thousands, and the service pages them (getInspectionSeries).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { InspectionFamily, InspectionSeriesRow, PulseApi } from '../../../shared/api';
import { useFillHeight, VirtualList } from './VirtualList';
import { onActivateKey, seriesText } from './format';

const ROW = 26;
const PAGE = 200;

interface Loaded {
  key: string;
  total: number | null;
  pages: Map<number, InspectionSeriesRow[]>;
}

export function SeriesList({ api, id, families, family, onFamily, onShowLine }: {
  api: PulseApi;
  id: string;
  families: InspectionFamily[];
  family: string | null;
  onFamily: (family: string | null) => void;
  onShowLine: (line: number) => void;
}) {
  const [text, setText] = useState('');
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const key = `${id}\u0000${family ?? ''}\u0000${filter}`;
  const [loaded, setLoaded] = useState<Loaded>({ key, total: null, pages: new Map() });
  const requested = useRef(new Set<string>());
  const height = useFillHeight(230);

  // Typing settles before a query: each one scans every series of the file.
  useEffect(() => {
    const timer = setTimeout(() => setFilter(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);

  const load = useCallback(
    (page: number) => {
      const tag = `${key}\u0000${page}`;
      if (requested.current.has(tag)) return;
      requested.current.add(tag);
      api.getInspectionSeries(id, { family: family ?? undefined, filter: filter || undefined, offset: page * PAGE, limit: PAGE }).then(
        (answer) =>
          setLoaded((current) => {
            if (current.key !== key) return current;
            const pages = new Map(current.pages).set(page, answer.rows);
            return { key, total: answer.total, pages };
          }),
        (err: Error) => setError(err.message),
      );
    },
    [api, id, family, filter, key],
  );

  useEffect(() => {
    requested.current.clear();
    setError(null);
    setLoaded({ key, total: null, pages: new Map() });
    load(0);
  }, [key, load]);

  const onRange = useCallback(
    (first: number, last: number) => {
      for (let page = Math.floor(first / PAGE); page <= Math.floor(last / PAGE); page++) load(page);
    },
    [load],
  );

  const current = loaded.key === key ? loaded : { total: null, pages: new Map<number, InspectionSeriesRow[]>() };
  const total = current.total;
  return (
    <div className="inspector-series">
      <div className="inspector-toolbar">
        <input
          type="search"
          placeholder='Filter by name or label, e.g. gpu="0" or node-7'
          aria-label="Filter series by name or label"
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="series-filter"
        />
        <select aria-label="Family" value={family ?? ''} onChange={(e) => onFamily(e.target.value || null)}>
          <option value="">All families</option>
          {families.map((f, i) => (
            <option key={`${f.name}-${i}`} value={f.name}>
              {f.name}
            </option>
          ))}
        </select>
        <span className="dim" data-testid="series-total">
          {total === null ? 'Loading…' : `${total.toLocaleString('en-US')} series`}
        </span>
      </div>
      {error ? (
        <p className="empty error" role="alert">
          Could not load the series: {error}
        </p>
      ) : total === 0 ? (
        <p className="empty">No series match.</p>
      ) : total !== null ? (
        <VirtualList
          count={total}
          rowHeight={ROW}
          height={height}
          onRange={onRange}
          role="list"
          label="Series"
          testId="series-list"
          renderRow={(i, placement) => {
            const row = current.pages.get(Math.floor(i / PAGE))?.[i % PAGE];
            if (!row) {
              return (
                <div {...placement} role="listitem" className="inspector-row inspector-series-row dim">
                  …
                </div>
              );
            }
            const series = seriesText(row.name, row.labels);
            return (
              <div
                {...placement}
                role="listitem"
                tabIndex={0}
                className="inspector-row inspector-series-row"
                data-testid="series-row"
                title={`${series} — line ${row.line}; Enter shows the source`}
                onClick={() => onShowLine(row.line)}
                onKeyDown={onActivateKey(() => onShowLine(row.line))}
              >
                <span className="mono ellipsis">{series}</span>
                <span className="mono num">{row.valueText}</span>
                <span className="dim num">{row.timestampMs === null ? '' : new Date(row.timestampMs).toISOString()}</span>
                <span className="dim num">line {row.line}</span>
              </div>
            );
          }}
        />
      ) : null}
    </div>
  );
}
