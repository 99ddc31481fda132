// A fixed-row-height window over a long list: only the rows in view (plus a margin) are in the
// DOM, so a file with a million series scrolls like one with ten. Arrow keys, Home and End move
// the focus between rows and scroll the focused one into view.
import { Fragment, useCallback, useEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';

/** Spread onto the row element: its position, and the index the keyboard handling finds it by. */
export interface RowPlacement {
  style: CSSProperties;
  'data-index': number;
}

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Height of the viewport in px; a shorter list takes only the space it needs. */
  height: number;
  /** The row element, with `placement` spread on it; make it focusable for keyboard access. */
  renderRow: (index: number, placement: RowPlacement) => ReactNode;
  /** The rows currently rendered, for callers that load data by page. */
  onRange?: (first: number, last: number) => void;
  overscan?: number;
  className?: string;
  role?: string;
  label: string;
  testId?: string;
}

/** Space left below a list's top edge in the window, so a long list fills the view it is in. */
export function useFillHeight(reserved: number, min = 240): number {
  const [height, setHeight] = useState(() => Math.max(min, window.innerHeight - reserved));
  useEffect(() => {
    const onResize = () => setHeight(Math.max(min, window.innerHeight - reserved));
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, [reserved, min]);
  return height;
}

export function VirtualList({ count, rowHeight, height, renderRow, onRange, overscan = 8, className, role = 'list', label, testId }: VirtualListProps) {
  const [scrollTop, setScrollTop] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  const pendingFocus = useRef<number | null>(null);
  const viewport = Math.min(height, count * rowHeight);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => {
    if (count > 0) onRange?.(first, last);
  }, [first, last, count, onRange]);

  // A new list (another filter) starts at the top.
  useEffect(() => {
    if (ref.current && scrollTop > count * rowHeight) {
      ref.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [count, rowHeight, scrollTop]);

  useEffect(() => {
    const index = pendingFocus.current;
    if (index === null || !ref.current) return;
    const row = ref.current.querySelector<HTMLElement>(`[data-index="${index}"]`);
    if (row) {
      pendingFocus.current = null;
      row.focus();
    }
  });

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      const from = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
      if (!from || !ref.current) return;
      const index = Number(from.dataset.index);
      const page = Math.max(1, Math.floor(height / rowHeight) - 1);
      const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, PageDown: index + page, PageUp: index - page, Home: 0, End: count - 1 };
      if (!(e.key in moves)) return;
      e.preventDefault();
      const next = Math.max(0, Math.min(count - 1, moves[e.key]));
      const el = ref.current;
      const top = next * rowHeight;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + rowHeight > el.scrollTop + height) el.scrollTop = top + rowHeight - height;
      setScrollTop(el.scrollTop);
      pendingFocus.current = next;
      const row = el.querySelector<HTMLElement>(`[data-index="${next}"]`);
      if (row) {
        pendingFocus.current = null;
        row.focus();
      }
    },
    [count, height, rowHeight],
  );

  const rows: ReactNode[] = [];
  for (let i = first; i <= last; i++) {
    rows.push(<Fragment key={i}>{renderRow(i, { style: { position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }, 'data-index': i })}</Fragment>);
  }
  return (
    <div
      ref={ref}
      className={`inspector-virtual ${className ?? ''}`}
      style={{ height: viewport, overflowY: 'auto', position: 'relative' }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      role={role}
      aria-label={label}
      aria-rowcount={role === 'grid' || role === 'table' ? count : undefined}
      data-testid={testId}
      data-count={count}
    >
      <div style={{ height: count * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}
