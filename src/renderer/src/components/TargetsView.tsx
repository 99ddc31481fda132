// The configured targets: where they come from (sources), state and error of each, edit,
// remove, pin, and adding many at once by pasting a list of URLs.
import { useEffect, useState } from 'react';
import type { PulseApi, TargetInfo } from '../../../shared/api';
import type { FleetState } from '../state/fleet-store';
import { TargetDialog } from './TargetDialog';
import { SourcesPanel } from './SourcesPanel';
import { age } from './format';
import { LabelText, escapeControls } from './LabelText';

export function TargetsView({ api, state, now }: { api: PulseApi; state: FleetState; now: number }) {
  const [editing, setEditing] = useState<TargetInfo | null>(null);
  const [adding, setAdding] = useState(false);
  const [paste, setPaste] = useState('');
  const [messages, setMessages] = useState<string[]>([]);
  const [notifications, setNotifications] = useState<boolean | null>(null);
  const [desktop, setDesktop] = useState(false);
  useEffect(() => {
    api.getAppInfo().then((info) => {
      setNotifications(info.notifications);
      setDesktop(info.mode === 'desktop');
    }, () => setNotifications(null));
  }, [api]);
  const targets = [...state.targets.values()].sort((a, b) => Number(b.pinned) - Number(a.pinned) || (a.group ?? '').localeCompare(b.group ?? '') || a.name.localeCompare(b.name));

  const addPasted = async () => {
    const urls = paste
      .split(/[\s,]+/)
      .map((u) => u.trim())
      .filter(Boolean);
    const results = await Promise.all(
      urls.map((url) =>
        api.addTarget({ url }).then(
          (t) => `added ${t.url}`,
          (err: Error) => `${url}: ${err.message}`,
        ),
      ),
    );
    setMessages(results);
    if (results.every((r) => r.startsWith('added'))) setPaste('');
  };

  const remove = (t: TargetInfo) => {
    if (!window.confirm(`Remove ${t.name} (${t.url})?`)) return;
    api.removeTarget(t.id).catch((err: Error) => setMessages([`could not remove ${t.name}: ${err.message}`]));
  };

  return (
    <div className="targets-view" data-testid="targets-view">
      <div className="targets-head">
        <h2>Targets</h2>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add target…
        </button>
      </div>
      <SourcesPanel api={api} state={state} now={now} />
      {targets.length === 0 ? <p className="dim">No targets. Add a dcgm-exporter URL, or paste several below.</p> : null}
      <table className="data-table targets-table">
        <thead>
          <tr>
            <th aria-label="Pinned" />
            <th>Name</th>
            <th>URL</th>
            <th>Group</th>
            <th>State</th>
            <th>GPUs</th>
            <th>Last data</th>
            <th>Security</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {targets.map((t) => (
            <tr key={t.id} data-testid="target-row" data-target-id={t.id} data-state={t.state}>
              <td>
                <button type="button" className={`pin-button${t.pinned ? ' pinned' : ''}`} aria-pressed={t.pinned} aria-label={t.pinned ? `Unpin ${t.name}` : `Pin ${t.name}`} onClick={() => void api.setPinned(t.id, !t.pinned)}>
                  {t.pinned ? '★' : '☆'}
                </button>
              </td>
              <td>
                <LabelText text={t.name} /> {t.demo ? <span className="demo-chip">demo</span> : null}
                {t.kind === 'prometheus' ? <span className="source-chip">Prometheus{t.selector ? ` ${t.selector}` : ''}</span> : null}
                {t.source ? (
                  <span className="source-chip" data-testid="target-source" title="listed by a source: edit or remove it there">
                    from {t.source}
                  </span>
                ) : null}
              </td>
              <td className="mono"><LabelText text={t.url} /></td>
              <td>{t.group ?? ''}</td>
              <td>
                <span className={`state-chip state-${t.state}`}>{t.state}</span>
                {t.lastError && t.state !== 'up' ? <div className="node-error small">{escapeControls(t.lastError)}</div> : null}
              </td>
              <td>{t.gpuCount}</td>
              <td>{t.lastSuccessAt ? age(now - t.lastSuccessAt) : '–'}</td>
              <td>
                {t.authKind !== 'none' ? `${t.authKind} auth` : ''}
                {t.tls?.insecureSkipVerify ? <strong className="unsafe-badge"> TLS not verified</strong> : t.url.startsWith('https:') ? ' TLS' : ''}
              </td>
              <td className="row-actions">
                {!t.demo && !t.replay && !t.source ? (
                  <>
                    <button type="button" onClick={() => setEditing(t)}>
                      Edit
                    </button>
                    <button type="button" onClick={() => remove(t)}>
                      Remove
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="paste-targets">
        <h3>Add several</h3>
        <label>
          Paste URLs (one per line, or separated by spaces or commas)
          <textarea data-testid="paste-urls" rows={4} value={paste} onChange={(e) => setPaste(e.target.value)} placeholder={'http://gpu-node-1:9400/metrics\nhttp://gpu-node-2:9400/metrics'} />
        </label>
        <button type="button" onClick={() => void addPasted()} disabled={!paste.trim()} data-testid="paste-submit">
          Add all
        </button>
        {messages.length > 0 ? (
          <ul className="paste-results" role="status">
            {messages.map((m, i) => (
              <li key={i} className={m.startsWith('added') ? '' : 'node-error'}>
                {m}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      {desktop && notifications !== null ? (
        <label className="checkbox notifications-toggle">
          <input
            type="checkbox"
            checked={notifications}
            onChange={(e) => {
              const enabled = e.target.checked;
              setNotifications(enabled);
              api.setNotifications(enabled).catch(() => setNotifications(!enabled));
            }}
          />{' '}
          Desktop notifications when a GPU turns CRIT or HOT or shows a new XID
        </label>
      ) : null}
      {adding || editing ? (
        <TargetDialog
          api={api}
          target={editing}
          onClose={() => {
            setAdding(false);
            setEditing(null);
          }}
        />
      ) : null}
    </div>
  );
}
