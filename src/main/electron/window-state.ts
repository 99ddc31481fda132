// Remembers the window's size, position and maximized state between launches.
import type { BrowserWindow, Rectangle } from 'electron';

export interface WindowState extends Partial<Rectangle> {
  maximized?: boolean;
}

export interface WindowStateStore {
  get(): WindowState;
  set(state: WindowState): void;
}

export function trackWindowState(win: BrowserWindow, store: WindowStateStore): void {
  let timer: NodeJS.Timeout | null = null;
  const save = () => {
    if (win.isDestroyed()) return;
    const maximized = win.isMaximized();
    // Keep the normal bounds while maximized so un-maximizing on the next launch restores them.
    const bounds = maximized ? store.get() : win.getBounds();
    store.set({ x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height, maximized });
  };
  const saveSoon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
}
