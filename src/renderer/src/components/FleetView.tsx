// The fleet at a glance: summary, filters, then nodes grouped (pinned first) with GPU cards.
// Large fleets are virtualized: only the rows in view are in the DOM, so a tick repaints only
// the visible cards; the model behind them is updated only where a tick changed it (FleetIndex).
import { memo, startTransition, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { PulseApi, TargetInfo } from '../../../shared/api';
import type { FleetState } from '../state/fleet-store';
import type { FleetFilter, GroupSection, NodeGroupModel } from '../state/fleet-filter';
import { FleetIndex } from '../state/fleet-index';
import { GpuCard } from './GpuCard';
import { NodeHeader } from './NodeHeader';
import { FleetToolbar } from './FleetToolbar';
import { SummaryBar } from './SummaryBar';

/**
 * Below this many cards the whole fleet is rendered (simpler DOM, browser find works).
 * `?virtualize=off` renders everything regardless: the UI benchmark's baseline.
 */
export const VIRTUALIZE_ABOVE = typeof window !== 'undefined' && new URLSearchParams(window.location.search).get('virtualize') === 'off' ? Infinity : 120;
const CARD_MIN_WIDTH = 270;
const GAP = 10;
const CARD_ROW_HEIGHT = 214 + GAP;
const NODE_HEADER_HEIGHT = 36;
const NODE_ERROR_HEIGHT = 24;
const SECTION_HEIGHT = 30;
const OVERSCAN_PX = 600;

/** Its props change only with the filter or the counts, not on every tick. */
const Toolbar = memo(FleetToolbar);

export interface FleetViewProps {
  api: PulseApi;
  state: FleetState;
  now: number;
  filter: FleetFilter;
  onFilter: (filter: FleetFilter) => void;
}

export function FleetView({ api, state, now, filter, onFilter }: FleetViewProps) {
  const [index] = useState(() => new FleetIndex());
  const { sections, summary, classes, shown, shape } = useMemo(() => index.update(state, filter), [index, state, filter]);
  const [pinError, setPinError] = useState<string | null>(null);
  const pin = useCallback(
    (target: TargetInfo) => {
      api.setPinned(target.id, !target.pinned).then(
        () => setPinError(null),
        (err: Error) => setPinError(`could not ${target.pinned ? 'unpin' : 'pin'} ${target.name}: ${err.message}`),
      );
    },
    [api],
  );

  if (state.targets.size === 0 && state.gpus.size === 0) {
    return (
      <div className="empty" data-testid="fleet-empty">
        No targets yet. <a href="#/targets">Add a dcgm-exporter URL</a> (for example <code>http://node:9400/metrics</code>) to start.
      </div>
    );
  }
  return (
    <div className="fleet">
      <SummaryBar summary={summary} />
      <Toolbar filter={filter} onFilter={onFilter} classes={classes} shown={shown} total={state.gpus.size} />
      {pinError ? (
        <p className="node-error" role="alert">
          {pinError}
        </p>
      ) : null}
      {shown === 0 && state.gpus.size > 0 ? <div className="empty">No GPU matches these filters.</div> : null}
      {state.gpus.size > VIRTUALIZE_ABOVE ? (
        <VirtualFleet sections={sections} shape={shape} state={state} now={now} onPin={pin} />
      ) : (
        sections.map((section) => (
          <div key={section.title + section.pinned} className="fleet-section">
            <SectionTitle section={section} />
            {section.nodes.map((group) => (
              <section key={group.node + (group.target?.id ?? '')} className={`node-group state-${group.target?.state ?? 'pending'}`} data-testid="node-group" data-node={group.node} data-state={group.target?.state ?? 'pending'}>
                <NodeHeader node={group.node} target={group.target} gpuCount={group.gpus.length} now={now} onPin={pin} />
                <div className="card-grid">
                  {group.gpus.map((gpu) => (
                    <GpuCard key={gpu.key} gpu={gpu} spark={state.sparks.get(gpu.key)} />
                  ))}
                </div>
              </section>
            ))}
          </div>
        ))
      )}
    </div>
  );
}

function SectionTitle({ section }: { section: GroupSection }) {
  if (!section.pinned && section.title === '') return null;
  return <h3 className="section-title">{section.pinned ? '★ Pinned' : section.title}</h3>;
}

/** A row of the virtual list: where it sits, and which section / node (indexes into the sections) it shows. */
type Row =
  | { kind: 'section'; top: number; height: number; section: number }
  | { kind: 'node'; top: number; height: number; section: number; node: number }
  | { kind: 'cards'; top: number; height: number; section: number; node: number; from: number; to: number };

function layoutRows(sections: GroupSection[], columns: number): { rows: Row[]; height: number } {
  const rows: Row[] = [];
  let top = 0;
  const push = (row: Row) => {
    rows.push(row);
    top += row.height;
  };
  sections.forEach((section, s) => {
    if (section.pinned || section.title !== '') push({ kind: 'section', top, height: SECTION_HEIGHT, section: s });
    section.nodes.forEach((group, n) => {
      const hasError = Boolean(group.target?.lastError && group.target.state !== 'up');
      push({ kind: 'node', top, height: NODE_HEADER_HEIGHT + (hasError ? NODE_ERROR_HEIGHT : 0), section: s, node: n });
      for (let i = 0; i < group.gpus.length; i += columns) push({ kind: 'cards', top, height: CARD_ROW_HEIGHT, section: s, node: n, from: i, to: Math.min(i + columns, group.gpus.length) });
    });
  });
  return { rows, height: top };
}

/** The first row that reaches `top` or below, and the first that starts below `bottom` (rows are in order). */
function rangeBetween(rows: Row[], top: number, bottom: number): [number, number] {
  const search = (after: (row: Row) => boolean) => {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (after(rows[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const from = search((r) => r.top + r.height >= top);
  return [from, Math.max(from, search((r) => r.top > bottom))];
}

/** The rows that overlap [top, bottom]. */
function rowsBetween(rows: Row[], top: number, bottom: number): Row[] {
  const [from, to] = rangeBetween(rows, top, bottom);
  return rows.slice(from, to);
}

function sameRange(rows: Row[], a: { top: number; bottom: number }, b: { top: number; bottom: number }): boolean {
  if (rows.length === 0) return false;
  const x = rangeBetween(rows, a.top, a.bottom);
  const y = rangeBetween(rows, b.top, b.bottom);
  return x[0] === y[0] && x[1] === y[1];
}

function VirtualFleet({ sections, shape, state, now, onPin }: { sections: GroupSection[]; shape: number; state: FleetState; now: number; onPin: (t: TargetInfo) => void }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1200);
  const [viewport, setViewport] = useState({ top: 0, bottom: 1000 });

  useLayoutEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth || 1200);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    let frame = 0;
    const update = () => {
      frame = 0;
      const el = containerRef.current;
      if (!el) return;
      const offset = el.getBoundingClientRect().top + window.scrollY;
      const top = window.scrollY - offset;
      const next = { top: top - OVERSCAN_PX, bottom: top + window.innerHeight + OVERSCAN_PX };
      // Re-render only when another row comes into (or leaves) the overscanned range: a card row
      // is 224 px, so most scroll frames change nothing but the scroll offset. As a transition:
      // React renders the row of cards that comes in in slices between frames instead of in the
      // frame that scrolled (the overscan keeps it out of sight meanwhile), so mounting cards
      // does not add to a frame that a tick or a garbage collection already made long.
      startTransition(() => setViewport((prev) => (sameRange(rowsRef.current, prev, next) ? prev : next)));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    update();
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    return () => {
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);

  const columns = Math.max(1, Math.floor((width + GAP) / (CARD_MIN_WIDTH + GAP)));
  const rowsRef = useRef<Row[]>([]);
  // Rows point into `sections` by index, so they stay right for as long as the shape does: a tick
  // that changes values only re-renders the rows in view, without laying out 1,250 nodes again.
  const { rows, height } = useMemo(() => layoutRows(sections, columns), [shape, columns]);
  rowsRef.current = rows;
  const visible = rowsBetween(rows, viewport.top, viewport.bottom);

  return (
    <div ref={containerRef} className="virtual-fleet" style={{ height, position: 'relative' }} data-testid="virtual-fleet">
      {visible.map((row) => {
        const section = sections[row.section]!;
        if (row.kind === 'section') return <VirtualRow key={`s:${section.title}:${section.pinned}`} row={row} title={section.title} pinned={section.pinned} />;
        const group = section.nodes[row.node]!;
        const key = row.kind === 'node' ? `n:${group.node}` : `c:${group.node}:${row.from}`;
        return row.kind === 'node' ? (
          <VirtualRow key={key} row={row} group={group} now={now} onPin={onPin} />
        ) : (
          <VirtualRow key={key} row={row} group={group} columns={columns} sparks={state.sparks} />
        );
      })}
    </div>
  );
}

interface VirtualRowProps {
  row: Row;
  title?: string;
  pinned?: boolean;
  group?: NodeGroupModel;
  columns?: number;
  sparks?: FleetState['sparks'];
  now?: number;
  onPin?: (t: TargetInfo) => void;
}

/**
 * One row of the virtual list. Memoised: a tick re-renders only the rows whose node it changed
 * (the index keeps the other nodes' group objects), and a node header also when `now` moves.
 */
const VirtualRow = memo(function VirtualRow({ row, title, pinned, group, columns, sparks, now, onPin }: VirtualRowProps) {
  // Strict containment: a row's size is fixed here, so the browser can lay out and paint the
  // rows that mount while scrolling without revisiting the others.
  const style = { position: 'absolute' as const, top: row.top, left: 0, right: 0, height: row.height, contain: 'strict' as const };
  if (row.kind === 'section') {
    return (
      <div style={style}>
        <SectionTitle section={{ title: title!, pinned: pinned!, nodes: [] }} />
      </div>
    );
  }
  const g = group!;
  if (row.kind === 'node') {
    const s = g.target?.state ?? 'pending';
    return (
      <div style={style} className={`node-group state-${s}`} data-testid="node-group" data-node={g.node} data-state={s}>
        <NodeHeader node={g.node} target={g.target} gpuCount={g.gpus.length} now={now!} onPin={onPin!} />
      </div>
    );
  }
  return (
    <div style={{ ...style, gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }} className="card-grid virtual-row">
      {g.gpus.slice(row.from, row.to).map((gpu) => (
        <GpuCard key={gpu.key} gpu={gpu} spark={sparks!.get(gpu.key)} />
      ))}
    </div>
  );
});
