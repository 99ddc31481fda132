// Connection pools for scrapes: one undici Agent per distinct TLS configuration, and the TLS
// alerts their sockets receive, which undici itself does not report.
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { ScrapeFailure, type ScrapeTls } from './types';

export async function createAgent(tls: ScrapeTls | undefined, connections: number): Promise<Agent> {
  const [ca, cert, key] = await Promise.all([
    readTlsFile(tls?.caFile, 'CA file'),
    readTlsFile(tls?.certFile, 'client certificate file'),
    readTlsFile(tls?.keyFile, 'client key file'),
  ]);
  const connect = buildConnector({ ca, cert, key, rejectUnauthorized: tls?.insecureSkipVerify !== true });
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
    connect: (options, callback) =>
      connect(options, (error, socket) => {
        if (socket) rememberTlsAlerts(socket);
        callback(error as Error, socket as never);
      }),
  });
}

// With TLS 1.3 a server that wants a client certificate completes the handshake and then
// sends an alert; undici sees the socket end and reports only "other side closed". The alert
// arrives as an error on the socket, so remember it by local address for the classifier.
const tlsAlerts = new Map<string, Error>();
const TLS_ALERT_MEMORY_MS = 5_000;

function rememberTlsAlerts(socket: Socket): void {
  const key = `${socket.localAddress}:${socket.localPort}`;
  socket.on('error', (error: Error & { code?: string }) => {
    if (error.code?.startsWith('ERR_SSL')) tlsAlerts.set(key, error);
  });
  socket.once('close', () => {
    if (tlsAlerts.has(key)) setTimeout(() => tlsAlerts.delete(key), TLS_ALERT_MEMORY_MS).unref();
  });
}

export function socketBytesRead(error: unknown): number | undefined {
  return (error as { socket?: { bytesRead?: number } }).socket?.bytesRead;
}

/** The TLS alert the socket behind an undici SocketError received, if any. */
export function tlsAlertFor(error: unknown): Error | undefined {
  const info = (error as { socket?: { localAddress?: string; localPort?: number } }).socket;
  if (!info?.localPort) return undefined;
  return tlsAlerts.get(`${info.localAddress}:${info.localPort}`);
}

async function readTlsFile(path: string | undefined, what: string): Promise<Buffer | undefined> {
  if (!path) return undefined;
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ScrapeFailure(
      'tls-error',
      `cannot read the ${what} ${path} (${code})`,
      `check that ${path} exists and is readable by GPU Pulse`,
    );
  }
}
