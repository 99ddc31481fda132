// The inspector: the files open in this session on the left (with their progress), the chosen
// file or the GPU-by-GPU comparison on the right. Files arrive by drop (FileDrop), "Open
// file…", and in the desktop app by File > Open, argv and the OS's open-with.
import { useEffect, useState } from 'react';
import type { InspectionInfo, PulseApi } from '../../../shared/api';
import { navigate } from '../navigation';
import { CompareView } from './CompareView';
import { InspectionDetail } from './InspectionDetail';
import { OpenFileButton } from './OpenFileButton';
import { ProgressBar } from './ProgressBar';
import { FORMAT_NAMES, fileSize } from './format';
import { useInspections } from './use-inspections';

export function InspectorView({ api, inspectionId }: { api: PulseApi; inspectionId: string | null }) {
  const { list, error, remove, add } = useInspections(api);
  const [comparing, setComparing] = useState(false);
  const [openErrors, setOpenErrors] = useState<string[]>([]);
  const [missing, setMissing] = useState<string | null>(null);
  const selected = inspectionId && list ? (list.find((i) => i.id === inspectionId) ?? null) : null;

  // An id not in the list: opened a moment ago by another window, or closed (a stale link).
  const loaded = list !== null;
  const known = selected !== null;
  useEffect(() => {
    setMissing(null);
    if (!inspectionId || !loaded || known) return;
    let live = true;
    api.getInspection(inspectionId).then(
      (info) => live && add(info),
      (err: Error) => live && setMissing(err.message),
    );
    return () => {
      live = false;
    };
  }, [api, inspectionId, loaded, known, add]);

  useEffect(() => setComparing(false), [inspectionId]);

  const close = (info: InspectionInfo) => {
    void api.closeInspection(info.id);
    remove(info.id);
    if (info.id === inspectionId) navigate({ view: 'inspector', id: null });
  };

  return (
    <div className="inspector" data-testid="inspector">
      <aside className="inspector-files" aria-label="Open files">
        <div className="inspector-files-head">
          <OpenFileButton api={api} onError={setOpenErrors} />
          <button type="button" onClick={() => setComparing(true)} disabled={(list?.filter((i) => i.status === 'done').length ?? 0) < 2} data-testid="inspect-compare-button">
            Compare
          </button>
        </div>
        {openErrors.length > 0 ? (
          <p className="form-error" role="alert">
            Could not open: {openErrors.join('; ')}
          </p>
        ) : null}
        {list === null ? null : list.length === 0 ? (
          <p className="hint">No files open yet.</p>
        ) : (
          <ul className="inspector-file-list">
            {list.map((info) => (
              <li key={info.id} className={info.id === inspectionId && !comparing ? 'active' : undefined} data-testid="inspector-file" data-status={info.status}>
                <a href={`#/inspector/${encodeURIComponent(info.id)}`} onClick={() => setComparing(false)} title={info.name}>
                  <span className="ellipsis">{info.name}</span>
                  <span className="dim">
                    {info.status === 'done'
                      ? `${info.format ? FORMAT_NAMES[info.format] : ''} · ${fileSize(info.sizeBytes)}`
                      : info.status === 'failed'
                        ? 'failed'
                        : fileSize(info.sizeBytes)}
                  </span>
                </a>
                {info.status === 'parsing' ? <ProgressBar info={info} compact /> : null}
                <button type="button" className="inspector-file-close" aria-label={`Close ${info.name}`} onClick={() => close(info)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
      </aside>
      <div className="inspector-main">
        {error ? (
          <p className="empty error" role="alert">
            Could not reach the GPU Pulse service: {error}
          </p>
        ) : list === null ? (
          <p className="empty" data-testid="inspector-loading">
            Loading…
          </p>
        ) : comparing ? (
          <CompareView api={api} inspections={list} initialA={inspectionId} />
        ) : selected ? (
          <InspectionDetail key={selected.id} api={api} info={selected} onCompare={() => setComparing(true)} onClose={() => close(selected)} />
        ) : inspectionId && missing ? (
          <p className="empty error" role="alert" data-testid="inspection-missing">
            {missing}
          </p>
        ) : inspectionId ? (
          <p className="empty">Loading…</p>
        ) : (
          <div className="empty inspector-empty" data-testid="inspector-empty">
            <p>Drop a Prometheus or OpenMetrics file anywhere in this window (.prom, .om, .txt, or gzip-compressed), or use Open file….</p>
            <p className="hint">
              A dcgm-exporter capture shows its GPUs as live cards would; any exposition file shows its families, series and problems with line and column.
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
