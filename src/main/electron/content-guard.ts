// What the app's web contents may do beyond showing the app (DESIGN.md §7): nothing, except
// opening a web link the user clicked, in their browser. The renderer shows text from network
// endpoints; whatever a hostile exporter manages to put on the page must not navigate the
// window, open windows, attach webviews or make the OS open a non-web URL.
import { shell, type WebContents } from 'electron';
import { isAppDocument, isWebLink, UserActivation } from './link-policy';

export interface GuardOptions {
  /** The URL the window loads: its file:// URL, or the dev server's. */
  appUrl: string;
  openExternal?: (url: string) => Promise<void>;
  now?: () => number;
}

export function guardWebContents(contents: WebContents, { appUrl, openExternal = (url) => shell.openExternal(url), now = Date.now }: GuardOptions): void {
  // `input-event` comes from the browser process (real input): a page cannot fake one.
  const activation = new UserActivation(now);
  contents.on('input-event', (_event, input) => activation.note(input.type));
  /** One click opens at most one web link; script without a click opens none. */
  const openIfClicked = (url: string) => {
    if (isWebLink(url) && activation.consume()) openExternal(url).catch(() => {});
  };

  contents.on('will-navigate', (event) => {
    if (isAppDocument(event.url, appUrl)) return;
    event.preventDefault();
    openIfClicked(event.url);
  });
  contents.on('will-frame-navigate', (event) => {
    // The main frame is will-navigate's; no frame may leave for another document either.
    if (!event.isMainFrame && !isAppDocument(event.url, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppDocument(event.url, appUrl)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openIfClicked(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
