// Keyboard shortcuts that work the same in the browser and the desktop app (where the native
// menu sends the same commands).
import { useEffect } from 'react';
import type { MenuCommand, PulseApi } from '../../shared/api';
import { navigate } from './navigation';

export function runCommand(command: MenuCommand, openAddTarget: () => void): void {
  switch (command) {
    case 'find':
      navigateIfNeeded();
      requestAnimationFrame(() => document.getElementById('fleet-search')?.focus());
      return;
    case 'back':
      window.history.back();
      return;
    case 'forward':
      window.history.forward();
      return;
    case 'fleet':
      navigate({ view: 'fleet' });
      return;
    case 'targets':
      navigate({ view: 'targets' });
      return;
    case 'inspector':
      navigate({ view: 'inspector', id: null });
      return;
    case 'add-target':
      openAddTarget();
      return;
  }
}

function navigateIfNeeded(): void {
  if (!document.getElementById('fleet-search')) navigate({ view: 'fleet' });
}

/** Browser-side bindings; in Electron the menu accelerators take these keys first. */
export function keyToCommand(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): MenuCommand | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.key.toLowerCase() === 'f') return 'find';
  if (e.altKey && e.key === 'ArrowLeft') return 'back';
  if (e.altKey && e.key === 'ArrowRight') return 'forward';
  if (mod && e.key === '1') return 'fleet';
  if (mod && e.key === '2') return 'inspector';
  if (mod && e.key === '3') return 'targets';
  return null;
}

export function useShortcuts(api: PulseApi, openAddTarget: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const command = keyToCommand(e);
      if (!command) return;
      e.preventDefault();
      runCommand(command, openAddTarget);
    };
    window.addEventListener('keydown', onKey);
    const offMenu = api.onMenuCommand?.((command) => runCommand(command, openAddTarget));
    return () => {
      window.removeEventListener('keydown', onKey);
      offMenu?.();
    };
  }, [api, openAddTarget]);
}
