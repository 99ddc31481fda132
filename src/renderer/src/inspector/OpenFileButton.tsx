// "Open file…": the keyboard (and test) path to the same opening as a drop.
import { useRef, useState } from 'react';
import type { PulseApi } from '../../../shared/api';
import { FILE_ACCEPT, openFiles, showOpened } from './open-files';

export function OpenFileButton({ api, onError }: { api: PulseApi; onError: (errors: string[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button type="button" className="inspector-open" onClick={() => input.current?.click()} disabled={busy} data-testid="inspect-open-button">
        {busy ? 'Opening…' : 'Open file…'}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept={FILE_ACCEPT}
        hidden
        data-testid="inspect-file-input"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = ''; // the same file again must fire change again
          if (files.length === 0) return;
          setBusy(true);
          const hashAtStart = window.location.hash;
          void openFiles(api, files).then((result) => {
            setBusy(false);
            onError(result.errors);
            showOpened(result, hashAtStart);
          });
        }}
      />
    </>
  );
}
