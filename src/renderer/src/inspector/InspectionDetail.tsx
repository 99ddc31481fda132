// One open file: what it is, how far the parse is, and once done its GPUs, problems, families
// and series in tabs, with the source of any line a click away.
import { useCallback, useState, type KeyboardEvent } from 'react';
import type { InspectionInfo, InspectionProblem, PulseApi } from '../../../shared/api';
import { FamiliesTable } from './FamiliesTable';
import { FORMAT_NAMES, count, fileSize } from './format';
import { GpuCards } from './GpuCards';
import { ProblemsList } from './ProblemsList';
import { ProgressBar } from './ProgressBar';
import { SeriesList } from './SeriesList';
import { SourcePanel, type SourceTarget } from './SourcePanel';
import { navigate } from '../navigation';

type Tab = 'gpus' | 'problems' | 'families' | 'series';

/** Recordings (`gpu-pulse record` output has timestamps: OpenMetrics) and dmon captures replay over time. */
function canReplay(info: InspectionInfo): boolean {
  return info.status === 'done' && info.gpus.length > 0 && (info.format === 'openmetrics' || info.format === 'dmon');
}

function firstTab(info: InspectionInfo): Tab {
  if (info.problems.some((p) => p.severity === 'error')) return 'problems';
  return info.gpus.length > 0 ? 'gpus' : 'families';
}

export function InspectionDetail({ api, info, onCompare, onClose }: { api: PulseApi; info: InspectionInfo; onCompare: () => void; onClose: () => void }) {
  const [tab, setTab] = useState<Tab | null>(null);
  const [family, setFamily] = useState<string | null>(null);
  const [source, setSource] = useState<SourceTarget | null>(null);
  const closeSource = useCallback(() => setSource(null), []);
  const showProblem = useCallback((p: InspectionProblem) => setSource({ line: p.line, column: p.column, message: p.message }), []);
  const showLine = useCallback((line: number) => setSource({ line }), []);
  const openFamily = useCallback((name: string) => {
    setFamily(name);
    setTab('series');
  }, []);

  const errors = info.problems.filter((p) => p.severity === 'error').length;
  const current = tab ?? firstTab(info);
  const tabs: Array<{ id: Tab; label: string }> = [
    ...(info.gpus.length > 0 ? [{ id: 'gpus' as const, label: `GPUs (${(info.gpuTotal ?? info.gpus.length).toLocaleString('en-US')})` }] : []),
    { id: 'problems', label: `Problems (${info.problems.length.toLocaleString('en-US')})` },
    { id: 'families', label: `Families (${info.families.length.toLocaleString('en-US')})` },
    { id: 'series', label: `Series (${info.sampleCount.toLocaleString('en-US')})` },
  ];
  const onTabKey = (e: KeyboardEvent) => {
    const at = tabs.findIndex((t) => t.id === current);
    const next = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : null;
    if (next === null) return;
    const t = tabs[(next + tabs.length) % tabs.length];
    setTab(t.id);
    document.getElementById(`inspector-tab-${t.id}`)?.focus();
  };

  return (
    <section className="inspector-detail" data-testid="inspection" data-id={info.id} data-status={info.status}>
      <header className="inspector-detail-head">
        <h2 title={info.name}>{info.name}</h2>
        <span className="dim">{fileSize(info.sizeBytes)}</span>
        {info.format ? (
          <span className="inspector-chip" data-testid="inspector-format" data-format={info.format}>
            {FORMAT_NAMES[info.format]}
          </span>
        ) : null}
        {info.status === 'done' ? (
          <span className="dim">
            {count(info.families.length, 'family', 'families')} · {count(info.sampleCount, 'series', 'series')}
            {errors > 0 ? <span className="red"> · {count(errors, 'error')}</span> : null}
          </span>
        ) : null}
        <span className="spacer" />
        {canReplay(info) ? (
          <button
            type="button"
            data-testid="inspection-replay"
            title="Play this recording through the fleet views"
            onClick={() =>
              api.replayInspection(info.id).then(
                () => navigate({ view: 'fleet' }),
                (err: Error) => window.alert(`Cannot replay ${info.name}: ${err.message}`),
              )
            }
          >
            ▶ Replay
          </button>
        ) : null}
        <button type="button" onClick={onCompare} disabled={info.status !== 'done'}>
          Compare…
        </button>
        <button type="button" onClick={onClose} data-testid="inspection-close">
          Close file
        </button>
      </header>

      {info.status === 'parsing' ? (
        <ProgressBar info={info} />
      ) : info.status === 'failed' ? (
        <p className="empty error" role="alert" data-testid="inspection-error">
          Could not read {info.name}: {info.error}
        </p>
      ) : (
        <>
          <div className="inspector-tabs" role="tablist" aria-label="File contents" onKeyDown={onTabKey}>
            {tabs.map((t) => (
              <button
                key={t.id}
                id={`inspector-tab-${t.id}`}
                type="button"
                role="tab"
                aria-selected={current === t.id}
                aria-controls="inspector-tabpanel"
                tabIndex={current === t.id ? 0 : -1}
                className={current === t.id ? 'active' : undefined}
                data-testid={`inspector-tab-${t.id}`}
                onClick={() => setTab(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div id="inspector-tabpanel" role="tabpanel" aria-labelledby={`inspector-tab-${current}`} className="inspector-tabpanel">
            {current === 'gpus' ? (
              <GpuCards info={info} />
            ) : current === 'problems' ? (
              <ProblemsList problems={info.problems} onShow={showProblem} />
            ) : current === 'families' ? (
              <FamiliesTable families={info.families} onOpen={openFamily} />
            ) : (
              <SeriesList api={api} id={info.id} families={info.families} family={family} onFamily={setFamily} onShowLine={showLine} />
            )}
          </div>
          {source ? <SourcePanel api={api} id={info.id} target={source} onClose={closeSource} /> : null}
        </>
      )}
    </section>
  );
}
