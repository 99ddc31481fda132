// The file's text around one line (read back from the file by the service), the line marked
// and, for a problem, its column. Escape closes it and gives the focus back.
import { useEffect, useRef, useState } from 'react';
import type { InspectionSource, PulseApi } from '../../../shared/api';

export interface SourceTarget {
  line: number;
  column?: number;
  message?: string;
}

const CONTEXT = 12;

export function SourcePanel({ api, id, target, onClose }: { api: PulseApi; id: string; target: SourceTarget; onClose: () => void }) {
  const [source, setSource] = useState<InspectionSource | null>(null);
  const [error, setError] = useState<string | null>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    setSource(null);
    setError(null);
    api.getInspectionSource(id, { line: target.line, context: CONTEXT }).then(
      (s) => live && setSource(s),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [api, id, target.line]);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, [onClose]);

  return (
    <aside className="inspector-source" role="dialog" aria-label={`Source around line ${target.line}`} tabIndex={-1} ref={panel} data-testid="source-panel">
      <header>
        <strong>Line {target.line}{target.column ? `, column ${target.column}` : ''}</strong>
        {target.message ? <span className="inspector-source-message">{target.message}</span> : null}
        <button type="button" onClick={onClose} aria-label="Close source (Escape)">
          ×
        </button>
      </header>
      {error ? (
        <p className="empty error" role="alert">
          {error}
        </p>
      ) : source === null ? (
        <p className="empty">Loading…</p>
      ) : source.lines.length === 0 ? (
        <p className="empty">Line {target.line} is past the end of the file.</p>
      ) : (
        <pre className="inspector-source-text">
          {source.lines.map((text, i) => {
            const n = source.firstLine + i;
            const hit = n === target.line;
            return (
              <div key={n} className={hit ? 'hit' : undefined} data-testid={hit ? 'source-hit' : 'source-line'} data-line={n} aria-current={hit ? 'true' : undefined}>
                <span className="ln">{n}</span>
                <code>{hit && target.column ? withCaret(text, target.column) : text || ' '}</code>
              </div>
            );
          })}
        </pre>
      )}
    </aside>
  );
}

/** The character at the problem's column, marked (columns count characters, from 1). */
function withCaret(text: string, column: number) {
  const chars = Array.from(text);
  const at = Math.min(column - 1, chars.length);
  return (
    <>
      {chars.slice(0, at).join('')}
      <mark data-testid="source-caret">{chars[at] ?? ' '}</mark>
      {chars.slice(at + 1).join('')}
    </>
  );
}
