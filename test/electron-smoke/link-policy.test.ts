// The rules the desktop window's guard applies (src/main/electron/link-policy.ts): what is the
// app's own page, what may open in the browser, and how long a click lets a link open.
import { describe, expect, it } from 'vitest';
import { isAppDocument, isWebLink, UserActivation, USER_ACTIVATION_MS } from '../../src/main/electron/link-policy';

describe('link policy', () => {
  it('treats only the same file (any route) or the dev server origin as the app', () => {
    const app = 'file:///opt/GPU%20Pulse/resources/app.asar/out/renderer/index.html';
    expect(isAppDocument(`${app}#/node/a`, app)).toBe(true);
    expect(isAppDocument('file:///opt/GPU%20Pulse/resources/app.asar/out/renderer/other.html', app)).toBe(false);
    expect(isAppDocument('file:///etc/passwd', app)).toBe(false);
    expect(isAppDocument('file://evil-host/opt/GPU%20Pulse/resources/app.asar/out/renderer/index.html', app)).toBe(false);
    expect(isAppDocument('http://localhost:5173/#/targets', 'http://localhost:5173/')).toBe(true);
    expect(isAppDocument('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppDocument('not a url', app)).toBe(false);
  });

  it('opens only http(s) links without credentials', () => {
    expect(isWebLink('https://example.com/a?b#c')).toBe(true);
    expect(isWebLink('http://10.0.0.1:9400/metrics')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'mailto:a@b', 'smb://h/s', 'https://user@example.com/', 'https://u:p@example.com/', '//example.com', '']) {
      expect(isWebLink(url), url).toBe(false);
    }
  });

  it('lets a click or key press open one link while it is fresh, never after', () => {
    let t = 1_000_000;
    const activation = new UserActivation(() => t);
    expect(activation.consume()).toBe(false);
    activation.note('mouseMove');
    expect(activation.consume()).toBe(false);
    activation.note('mouseUp');
    expect(activation.consume()).toBe(true);
    expect(activation.consume()).toBe(false);
    activation.note('keyDown');
    t += USER_ACTIVATION_MS;
    expect(activation.consume()).toBe(true);
    activation.note('gestureTap');
    t += USER_ACTIVATION_MS + 1;
    expect(activation.consume()).toBe(false);
  });
});
