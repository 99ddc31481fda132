// Whether a host name or address stays on this machine: what decides that a server bound
// there needs no token (serve) or no authentication (exporter). A name that merely starts
// with "127." (127.example.com) resolves anywhere, so only literal addresses count.
const LOOPBACK = /^(?:localhost|::1|\[::1\]|127(?:\.\d{1,3}){3})$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.trim());
}
