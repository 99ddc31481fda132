// The default session's policy (DESIGN.md §7): every response carries the strict CSP, and no
// permission is ever granted to web content, whether it asks (request) or only looks (check).
// Desktop notifications come from the main process and need no renderer permission.
import { session } from 'electron';

export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function applySessionPolicy(): void {
  const ses = session.defaultSession;
  // The built page also carries the policy in a meta tag: file:// responses have no headers.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // HID, serial, USB and the like: never.
  ses.setDevicePermissionHandler(() => false);
}
