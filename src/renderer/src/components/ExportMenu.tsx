// Export: save the computed metrics as a file, push them to a Pushgateway, record live activity.
import { useEffect, useRef, useState } from 'react';
import { HTTP_RECORDINGS_PATH, type AppInfo, type PulseApi, type PushRequest, type PushResult, type RecordingStatus } from '../../../shared/api';
import { navigate } from '../navigation';

function download(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function useRecording(api: PulseApi): RecordingStatus | null {
  const [status, setStatus] = useState<RecordingStatus | null>(null);
  useEffect(() => {
    api.getRecording().then(setStatus, () => setStatus(null));
    return api.onTick((tick) => {
      if (tick.recording !== undefined) setStatus(tick.recording);
    });
  }, [api]);
  return status;
}

export function ExportMenu({ api, info }: { api: PulseApi; info: AppInfo | null }) {
  const [open, setOpen] = useState(false);
  const [pushing, setPushing] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const recording = useRecording(api);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !menuRef.current?.contains(e.target as Node) && setOpen(false);
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);

  const act = (run: () => Promise<string | void>) => {
    setOpen(false);
    run().then(
      (text) => text && setMessage({ text, error: false }),
      (err: Error) => setMessage({ text: err.message, error: true }),
    );
  };

  const saveSnapshot = (format: 'prometheus' | 'openmetrics') =>
    act(async () => {
      const snapshot = await api.exportSnapshot(format);
      download(snapshot.fileName, new Blob([snapshot.text], { type: snapshot.contentType }));
      return `saved ${snapshot.fileName}`;
    });

  const recordingLabel = recording?.active ? `Stop recording (${recording.scrapes} scrapes)` : 'Start recording';
  return (
    <div className="export-menu" ref={menuRef}>
      <button type="button" data-testid="export-button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} className={recording?.active ? 'recording' : ''}>
        {recording?.active ? '● Recording' : 'Export'} ▾
      </button>
      {open ? (
        <div role="menu" className="menu-popup" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <button role="menuitem" type="button" data-testid="save-snapshot" onClick={() => saveSnapshot('prometheus')}>
            Save snapshot as .prom
          </button>
          <button role="menuitem" type="button" onClick={() => saveSnapshot('openmetrics')}>
            Save snapshot as OpenMetrics
          </button>
          <button role="menuitem" type="button" data-testid="push-gateway" onClick={() => (setOpen(false), setPushing(true))}>
            Push to Pushgateway…
          </button>
          <hr />
          <button
            role="menuitem"
            type="button"
            data-testid="record-toggle"
            onClick={() =>
              act(async () => {
                if (recording?.active) {
                  const done = await api.stopRecording();
                  return `recorded ${done.scrapes} scrapes to ${done.fileName}`;
                }
                const started = await api.startRecording({});
                return `recording ${started.targets} target(s) to ${started.fileName}`;
              })
            }
          >
            {recordingLabel}
          </button>
          {recording && !recording.active ? (
            <>
              <button role="menuitem" type="button" onClick={() => act(async () => (await api.replayRecording(recording.fileName), navigate({ view: 'fleet' })))}>
                Replay {recording.fileName}
              </button>
              {info?.mode === 'serve' ? (
                <a role="menuitem" href={`${HTTP_RECORDINGS_PATH}${encodeURIComponent(recording.fileName)}`} download onClick={() => setOpen(false)}>
                  Download {recording.fileName}
                </a>
              ) : null}
            </>
          ) : null}
        </div>
      ) : null}
      {message ? (
        <span className={`export-message${message.error ? ' node-error' : ''}`} role="status" data-testid="export-message" onClick={() => setMessage(null)}>
          {message.text}
        </span>
      ) : null}
      {pushing ? <PushDialog api={api} onClose={() => setPushing(false)} /> : null}
    </div>
  );
}

/** `k=v` lines -> grouping pairs; throws with the line that is wrong. */
export function parseGrouping(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line, i) => {
      const eq = line.indexOf('=');
      if (eq <= 0) throw new Error(`grouping line ${i + 1}: write label=value, got "${line}"`);
      const label = line.slice(0, eq).trim();
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw new Error(`grouping line ${i + 1}: "${label}" is not a label name`);
      return [label, line.slice(eq + 1).trim()];
    });
}

function PushDialog({ api, onClose }: { api: PulseApi; onClose: () => void }) {
  const [gateway, setGateway] = useState('http://localhost:9091');
  const [job, setJob] = useState('gpu_pulse');
  const [grouping, setGrouping] = useState('');
  const [method, setMethod] = useState<PushRequest['method']>('replace');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [result, setResult] = useState<{ ok: PushResult | null; error: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      const ok = await api.pushToGateway({ gateway: gateway.trim(), job: job.trim(), grouping: parseGrouping(grouping), method, username: username || undefined, password: password || undefined });
      setResult({ ok, error: null });
    } catch (err) {
      setResult({ ok: null, error: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="push-title"
        data-testid="push-dialog"
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="push-title">Push computed metrics to a Pushgateway</h2>
        <label>
          Pushgateway URL
          <input data-testid="push-gateway-url" value={gateway} onChange={(e) => setGateway(e.target.value)} required />
        </label>
        <div className="form-row">
          <label>
            Job
            <input data-testid="push-job" value={job} onChange={(e) => setJob(e.target.value)} required />
          </label>
          <label>
            Method
            <select value={method} onChange={(e) => setMethod(e.target.value as PushRequest['method'])} data-testid="push-method">
              <option value="replace">replace the group (PUT)</option>
              <option value="add">add to the group (POST)</option>
              <option value="delete">delete the group (DELETE)</option>
            </select>
          </label>
        </div>
        <label>
          Grouping labels (one label=value per line)
          <textarea rows={3} value={grouping} onChange={(e) => setGrouping(e.target.value)} placeholder="cluster=a100-pool" data-testid="push-grouping" />
        </label>
        <div className="form-row">
          <label>
            User (basic auth)
            <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
          </label>
          <label>
            Password
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" />
          </label>
        </div>
        {result?.ok ? (
          <p className="test-result ok" role="status" data-testid="push-result">
            <strong>✓ HTTP {result.ok.status}</strong> {result.ok.url}
          </p>
        ) : null}
        {result?.error ? (
          <p className="form-error" role="alert" data-testid="push-result">
            {result.error}
          </p>
        ) : null}
        <div className="dialog-buttons">
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="push-submit">
            Push
          </button>
        </div>
      </form>
    </div>
  );
}
