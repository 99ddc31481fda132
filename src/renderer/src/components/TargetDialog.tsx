// Add or edit a target: URL, name, group, interval, auth, TLS, with "Test connection". The same
// dialog adds the sources that follow a changing fleet: a Prometheus discovery and (desktop) a
// targets file.
import { useEffect, useRef, useState } from 'react';
import type { AddSourceRequest, AddTargetRequest, PulseApi, SecretInput, TargetInfo, TargetTestResult } from '../../../shared/api';

// A page never names an environment variable or a file: a secret is typed here, or is one the
// operator configured on the server by name (gpu-pulse serve --secret NAME=env:VAR).
type SecretSource = 'typed' | 'configured';

interface FormState {
  kind: 'exporter' | 'prometheus' | 'prometheus-discovery' | 'targets-file';
  url: string;
  /** Discovery: the scrape job to adopt (empty: every target serving DCGM metrics). */
  job: string;
  selector: string;
  name: string;
  group: string;
  intervalS: string;
  timeoutS: string;
  authKind: 'none' | 'basic' | 'bearer';
  username: string;
  secret: string;
  secretSource: SecretSource;
  caFile: string;
  certFile: string;
  keyFile: string;
  insecure: boolean;
}

function initialForm(target: TargetInfo | null): FormState {
  return {
    kind: target?.kind ?? 'exporter',
    url: target?.url ?? '',
    job: '',
    selector: target?.selector ?? '',
    name: target?.name ?? '',
    group: target?.group ?? '',
    intervalS: String((target?.intervalMs ?? 15_000) / 1000),
    timeoutS: String((target?.timeoutMs ?? 10_000) / 1000),
    authKind: target?.authKind ?? 'none',
    username: target?.username ?? '',
    secret: '',
    secretSource: 'typed',
    caFile: target?.tls?.caFile ?? '',
    certFile: target?.tls?.certFile ?? '',
    keyFile: target?.tls?.keyFile ?? '',
    insecure: target?.tls?.insecureSkipVerify ?? false,
  };
}

/** Form -> request; throws with a message for the user when a field is wrong. */
export function formToRequest(form: FormState, editing: boolean): AddTargetRequest {
  const url = form.url.trim();
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    throw new Error('URL: enter an http:// or https:// address, e.g. http://gpu-node-1:9400/metrics');
  }
  const seconds = (text: string, what: string, min: number) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new Error(`${what}: enter a number of seconds ≥ ${min}`);
    return Math.round(n * 1000);
  };
  const secret: SecretInput | undefined =
    form.secret === '' ? undefined : form.secretSource === 'configured' ? { secret: form.secret.trim() } : form.secret;
  if (!editing && form.authKind !== 'none' && secret === undefined) throw new Error(form.authKind === 'basic' ? 'Password: required for basic auth' : 'Token: required for bearer auth');
  const request: AddTargetRequest = {
    url,
    ...(form.kind === 'prometheus' ? { kind: 'prometheus' as const, selector: form.selector.trim() || undefined } : {}),
    name: form.name.trim() || undefined,
    group: form.group.trim() || undefined,
    intervalMs: seconds(form.intervalS, 'Interval', 1),
    timeoutMs: seconds(form.timeoutS, 'Timeout', 0.1),
  };
  if (form.authKind === 'basic') {
    if (!form.username.trim()) throw new Error('User name: required for basic auth');
    request.auth = { kind: 'basic', username: form.username.trim(), password: secret };
  } else if (form.authKind === 'bearer') {
    request.auth = { kind: 'bearer', token: secret };
  } else {
    request.auth = { kind: 'none' };
  }
  const tls = { caFile: form.caFile.trim() || undefined, certFile: form.certFile.trim() || undefined, keyFile: form.keyFile.trim() || undefined, insecureSkipVerify: form.insecure || undefined };
  if (Object.values(tls).some((v) => v !== undefined)) request.tls = tls;
  return request;
}

const isSourceKind = (kind: FormState['kind']): kind is 'prometheus-discovery' | 'targets-file' => kind === 'prometheus-discovery' || kind === 'targets-file';

/** Form -> addSource request for a Prometheus discovery. */
export function formToDiscoveryRequest(form: FormState): AddSourceRequest {
  // The server address, interval, timeout, auth and TLS are checked exactly as for a target.
  const asTarget = formToRequest({ ...form, kind: 'prometheus', selector: '' }, false);
  return {
    kind: 'prometheus-discovery',
    url: asTarget.url,
    job: form.job.trim() || undefined,
    intervalMs: asTarget.intervalMs,
    timeoutMs: asTarget.timeoutMs,
    auth: asTarget.auth,
    tls: asTarget.tls,
  };
}

export function TargetDialog({ api, target, onClose }: { api: PulseApi; target: TargetInfo | null; onClose: (saved: TargetInfo | null) => void }) {
  const [form, setForm] = useState<FormState>(() => initialForm(target));
  // Desktop: the page hands over the File the user picked; only the preload learns its path.
  const [targetsFile, setTargetsFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<TargetTestResult | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);
  useEffect(() => urlRef.current?.focus(), []);
  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async () => {
    setError(null);
    setBusy(true);
    try {
      // A source's first load must succeed (a wrong file or server is reported here, nothing is kept).
      if (form.kind === 'targets-file') {
        if (!targetsFile || !api.addTargetsFile) throw new Error('File: choose the targets file');
        const intervalMs = Math.round(Number(form.intervalS) * 1000);
        if (!Number.isFinite(intervalMs) || intervalMs < 1000) throw new Error('Interval: enter a number of seconds ≥ 1');
        await api.addTargetsFile(targetsFile, intervalMs);
        onClose(null);
        return;
      }
      if (form.kind === 'prometheus-discovery') {
        await api.addSource(formToDiscoveryRequest(form));
        onClose(null);
        return;
      }
      const request = formToRequest(form, target !== null);
      const saved = target ? await api.updateTarget(target.id, request) : await api.addTarget(request);
      onClose(saved);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const runTest = async () => {
    setError(null);
    setTest(null);
    setBusy(true);
    try {
      setTest(await api.testTarget(formToRequest(form, target !== null)));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const secretLabel = form.authKind === 'basic' ? 'Password' : 'Token';
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose(null)}>
      <form
        role="dialog"
        aria-modal="true"
        aria-labelledby="target-dialog-title"
        className="modal target-dialog"
        data-testid="target-dialog"
        onKeyDown={(e) => e.key === 'Escape' && onClose(null)}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="target-dialog-title">{target ? `Edit ${target.name}` : 'Add a source'}</h2>
        <label>
          Source
          <select data-testid="add-target-kind" value={form.kind} onChange={(e) => set({ kind: e.target.value as FormState['kind'] })} disabled={target !== null}>
            <option value="exporter">dcgm-exporter (scrape one node)</option>
            <option value="prometheus">Prometheus server (every node it scrapes)</option>
            {target === null ? <option value="prometheus-discovery">Prometheus discovery (scrape its dcgm-exporters directly, followed every minute)</option> : null}
            {target === null && api.addTargetsFile ? <option value="targets-file">Targets file (URL per line or file_sd; followed as it changes)</option> : null}
          </select>
        </label>
        {form.kind === 'targets-file' ? (
          <label>
            File
            <input data-testid="add-source-file" type="file" onChange={(e) => setTargetsFile(e.target.files?.[0] ?? null)} />
          </label>
        ) : (
          <label>
            {form.kind === 'prometheus' || form.kind === 'prometheus-discovery' ? 'Prometheus URL' : 'URL'}
            <input
              ref={urlRef}
              data-testid="add-target-url"
              value={form.url}
              onChange={(e) => set({ url: e.target.value })}
              placeholder={form.kind === 'exporter' ? 'http://gpu-node-1:9400/metrics' : 'http://prometheus:9090'}
              required
            />
          </label>
        )}
        {form.kind === 'prometheus-discovery' ? (
          <label>
            Scrape job (optional)
            <input data-testid="add-source-job" value={form.job} onChange={(e) => set({ job: e.target.value })} placeholder="dcgm-exporter — empty: every target serving DCGM metrics" />
          </label>
        ) : null}
        {form.kind === 'prometheus' ? (
          <label>
            Selector (optional)
            <input data-testid="add-target-selector" value={form.selector} onChange={(e) => set({ selector: e.target.value })} placeholder='{cluster="a100-pool"}' />
          </label>
        ) : null}
        {isSourceKind(form.kind) ? null : (
          <div className="form-row">
            <label>
              Name
              <input value={form.name} onChange={(e) => set({ name: e.target.value })} placeholder="defaults to host:port" />
            </label>
            <label>
              Group
              <input value={form.group} onChange={(e) => set({ group: e.target.value })} placeholder="e.g. a100-pool" />
            </label>
          </div>
        )}
        <div className="form-row">
          <label>
            Interval (s)
            <input type="number" min={1} step="any" value={form.intervalS} onChange={(e) => set({ intervalS: e.target.value })} />
          </label>
          {form.kind === 'targets-file' ? null : (
            <label>
              Timeout (s)
              <input type="number" min={0.1} step="any" value={form.timeoutS} onChange={(e) => set({ timeoutS: e.target.value })} />
            </label>
          )}
        </div>
        <p className="hint">
          {form.kind === 'prometheus'
            ? 'Each refresh costs one request per metric family, however many nodes the server scrapes; poll no faster than it scrapes.'
            : form.kind === 'prometheus-discovery'
              ? 'The interval is GPU Pulse’s own for every adopted exporter; the credentials are for the Prometheus API (exporters are scraped without them).'
              : form.kind === 'targets-file'
                ? 'Re-read when it changes and every 5 minutes; a bad edit keeps the last good list and shows the line at fault.'
                : 'dcgm-exporter refreshes its values every 30 s by default; polling faster shows repeated values.'}
        </p>
        {form.kind === 'targets-file' ? null : (
          <>
            <fieldset>
              <legend>Authentication</legend>
              <select aria-label="Authentication" value={form.authKind} onChange={(e) => set({ authKind: e.target.value as FormState['authKind'] })}>
                <option value="none">None</option>
                <option value="basic">Basic (user and password)</option>
                <option value="bearer">Bearer token</option>
              </select>
              {form.authKind === 'basic' ? (
                <label>
                  User name
                  <input value={form.username} onChange={(e) => set({ username: e.target.value })} autoComplete="off" />
                </label>
              ) : null}
              {form.authKind !== 'none' ? (
                <div className="form-row">
                  <label>
                    {secretLabel} from
                    <select value={form.secretSource} onChange={(e) => set({ secretSource: e.target.value as SecretSource })}>
                      <option value="typed">typed here (encrypted with the OS key store)</option>
                      <option value="configured">a secret configured on the server (--secret NAME=…)</option>
                    </select>
                  </label>
                  <label>
                    {form.secretSource === 'typed' ? secretLabel : 'Secret name'}
                    <input
                      type={form.secretSource === 'typed' ? 'password' : 'text'}
                      value={form.secret}
                      onChange={(e) => set({ secret: e.target.value })}
                      placeholder={target && target.authKind === form.authKind ? 'leave empty to keep the stored one' : ''}
                      autoComplete="off"
                    />
                  </label>
                </div>
              ) : null}
            </fieldset>
            <fieldset>
              <legend>TLS</legend>
              <div className="form-row">
                <label>
                  CA file
                  <input value={form.caFile} onChange={(e) => set({ caFile: e.target.value })} placeholder="/etc/ssl/my-ca.pem" />
                </label>
                <label>
                  Client certificate
                  <input value={form.certFile} onChange={(e) => set({ certFile: e.target.value })} />
                </label>
                <label>
                  Client key
                  <input value={form.keyFile} onChange={(e) => set({ keyFile: e.target.value })} />
                </label>
              </div>
              <label className={`checkbox${form.insecure ? ' unsafe' : ''}`}>
                <input type="checkbox" checked={form.insecure} onChange={(e) => set({ insecure: e.target.checked })} /> Skip certificate verification{' '}
                <strong className="unsafe-badge">unsafe</strong>
              </label>
            </fieldset>
          </>
        )}
        {error ? (
          <p className="form-error" role="alert" data-testid="target-dialog-error">
            {error}
          </p>
        ) : null}
        {test ? <TestResult result={test} /> : null}
        <div className="dialog-buttons">
          {isSourceKind(form.kind) ? null : (
            <button type="button" onClick={() => void runTest()} disabled={busy} data-testid="test-connection">
              Test connection
            </button>
          )}
          <span className="spacer" />
          <button type="button" onClick={() => onClose(null)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="add-target-submit">
            {target ? 'Save' : isSourceKind(form.kind) ? 'Add source' : 'Add target'}
          </button>
        </div>
      </form>
    </div>
  );
}

function TestResult({ result }: { result: TargetTestResult }) {
  return (
    <div className={`test-result ${result.ok ? 'ok' : 'failed'}`} data-testid="test-result" role="status">
      <strong>{result.ok ? '✓' : '✗'} {result.message}</strong>
      {result.remedy ? <div className="remedy">{result.remedy}</div> : null}
      {result.models.length > 0 ? <div>Models: {result.models.join(', ')}</div> : null}
      {result.nodes.length > 0 ? <div>Nodes: {result.nodes.join(', ')}</div> : null}
      {result.exporterHints.length > 0 ? (
        <ul>
          {result.exporterHints.map((h) => (
            <li key={h}>{h}</li>
          ))}
        </ul>
      ) : null}
      {result.problems.length > 0 ? (
        <details>
          <summary>{result.problems.length} problem(s)</summary>
          <ul>
            {result.problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
