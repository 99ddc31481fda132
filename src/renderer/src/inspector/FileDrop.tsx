// Drop files anywhere in the window, whatever view is showing: an overlay says what will
// happen, each file is opened in the inspector, and the view follows to the last one.
import { useEffect, useRef, useState } from 'react';
import type { PulseApi } from '../../../shared/api';
import { navigate } from '../navigation';
import { openFiles, showOpened } from './open-files';

function carriesFiles(e: DragEvent): boolean {
  return e.dataTransfer !== null && Array.from(e.dataTransfer.types).includes('Files');
}

export function FileDrop({ api }: { api: PulseApi }) {
  const [over, setOver] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const depth = useRef(0);

  useEffect(() => {
    const onEnter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth.current++;
      setOver(true);
    };
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      // Without this the browser opens the file itself (and leaves the app).
      e.preventDefault();
      e.dataTransfer!.dropEffect = 'copy';
      setOver(true);
    };
    const onLeave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    };
    const onDrop = (e: DragEvent) => {
      depth.current = 0;
      setOver(false);
      const files = e.dataTransfer ? Array.from(e.dataTransfer.files) : [];
      if (files.length === 0) return;
      e.preventDefault();
      setErrors([]);
      // The list shows the upload's progress while the bytes travel (serve mode).
      if (!window.location.hash.startsWith('#/inspector')) navigate({ view: 'inspector', id: null });
      const hashAtStart = window.location.hash;
      void openFiles(api, files).then((result) => {
        setErrors(result.errors);
        showOpened(result, hashAtStart);
      });
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [api]);

  return (
    <>
      {over ? (
        <div className="inspector-drop-overlay" data-testid="drop-overlay" aria-hidden="true">
          <div>Drop exposition files to inspect them (.prom, .om, .txt, .gz)</div>
        </div>
      ) : null}
      {errors.length > 0 ? (
        <div className="inspector-drop-errors" role="alert" data-testid="drop-error">
          <span>Could not open: {errors.join('; ')}</span>
          <button type="button" onClick={() => setErrors([])} aria-label="Dismiss">
            ×
          </button>
        </div>
      ) : null}
    </>
  );
}
