// Electron composition root: everything else lives in the core (no electron) or in
// src/main/electron (the only place that touches Electron).
import { runDesktopApp } from './electron/app';

runDesktopApp();
