// One rule for "stays on this machine": serve needs no token there, the exporter no auth.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/shared/loopback';

describe('isLoopbackHost', () => {
  it('accepts the loopback addresses and localhost', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
  });

  it('refuses every other address, and names that only look like loopback', () => {
    for (const host of ['0.0.0.0', '::', '', '192.168.1.2', '127.example.com', '127.0.0.1.nip.io', 'localhost.example.com', '::ffff:10.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
