// Pure rules behind content-guard.ts: which URLs are the app, which may open in the user's
// browser, and whether the user just clicked or pressed a key.

/** How long a click or key press lets a link open: Chromium's transient user activation. */
export const USER_ACTIVATION_MS = 5_000;
const ACTIVATING_INPUT = new Set(['mouseDown', 'mouseUp', 'rawKeyDown', 'keyDown', 'gestureTap', 'touchEnd', 'pointerDown', 'pointerUp']);

/** http(s) only, and no credentials in the URL (a classic way to disguise where a link goes). */
export function isWebLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/**
 * True when `url` is the app's own document: the same file (routes only change the hash) or,
 * under the dev server, the same origin. Any other file:// URL is somewhere else.
 */
export function isAppDocument(url: string, appUrl: string): boolean {
  try {
    const target = new URL(url);
    const app = new URL(appUrl);
    if (app.protocol === 'file:') return target.protocol === 'file:' && target.host === app.host && target.pathname === app.pathname;
    return target.origin === app.origin;
  } catch {
    return false;
  }
}

/** A click or key press lets one link open within USER_ACTIVATION_MS, like Chromium's activation. */
export class UserActivation {
  private at = Number.NEGATIVE_INFINITY;
  constructor(private readonly now: () => number = Date.now) {}

  /** An input event's type (Electron's InputEvent.type). */
  note(type: string): void {
    if (ACTIVATING_INPUT.has(type)) this.at = this.now();
  }

  /** True once per activation, and only while it is fresh. */
  consume(): boolean {
    const fresh = this.now() - this.at <= USER_ACTIVATION_MS;
    this.at = Number.NEGATIVE_INFINITY;
    return fresh;
  }
}
