// "Export CSV": the history of the plotted GPUs for the fields the user ticks (the plotted
// metric by default). The plotted field comes from the live buffers the chart draws; other
// fields are fetched once with getHistory for the same GPUs and window.
import { useEffect, useState } from 'react';
import { HISTORY_FIELDS, type HistoryField, type PulseApi } from '../../../../shared/api';
import type { GpuSnapshot } from '../../../../shared/gpu';
import { historyToCsv } from '../../../../shared/history-csv';
import { downloadText, fileStamp } from '../download';
import { fieldLabel } from '../field-format';
import { buffersFromResponse, type SeriesBuffer } from '../live-history';

export interface CsvExportProps {
  api: PulseApi;
  gpus: readonly GpuSnapshot[];
  field: HistoryField;
  windowMs: number;
  live: ReadonlyMap<string, SeriesBuffer>;
}


export function CsvExport({ api, gpus, field, windowMs, live }: CsvExportProps) {
  const [fields, setFields] = useState<HistoryField[]>([field]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // A new plotted metric starts a new selection: the CSV follows what is on screen.
  useEffect(() => setFields([field]), [field]);

  const toggle = (f: HistoryField) => setFields((current) => (current.includes(f) ? current.filter((x) => x !== f) : [...current, f]));

  const exportCsv = async () => {
    setBusy(true);
    setError(null);
    try {
      const onlyPlotted = fields.every((f) => f === field);
      const series = onlyPlotted ? live : buffersFromResponse(await api.getHistory({ keys: gpus.map((g) => g.key), fields, windowMs }), gpus.map((g) => g.key), fields);
      const byKey = new Map(gpus.map((g) => [g.key, g]));
      const csv = historyToCsv({
        series: Object.fromEntries(series),
        fields,
        keys: gpus.map((g) => g.key),
        identity: (key) => {
          const g = byKey.get(key);
          return g && { node: g.node, uuid: g.uuid, gpuIndex: g.gpuIndex, migInstanceId: g.migInstance?.id ?? null };
        },
      });
      downloadText(csv, `gpu-pulse-history-${fileStamp(Date.now())}.csv`, 'text/csv;charset=utf-8');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="plot-csv">
      <details>
        <summary>CSV fields ({fields.length})</summary>
        <fieldset className="plot-csv-fields">
          <legend className="focus-sr-only">Fields in the CSV</legend>
          {HISTORY_FIELDS.map((f) => (
            <label key={f}>
              <input type="checkbox" checked={fields.includes(f)} onChange={() => toggle(f)} />
              {fieldLabel(f)}
            </label>
          ))}
        </fieldset>
      </details>
      <button type="button" onClick={() => void exportCsv()} disabled={busy || gpus.length === 0 || fields.length === 0} aria-label="Export CSV of the selected GPUs' history">
        Export CSV
      </button>
      {error ? (
        <span className="empty error" role="alert">
          CSV export failed: {error}
        </span>
      ) : null}
    </div>
  );
}
