// Loopback servers with the misbehaviours exporters show in the field. Each listens on
// 127.0.0.1, port 0, and close() also ends connections still open (drips, endless bodies).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(handler: Handler, tls?: ServerOptions): Promise<TestServer> {
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that gives up mid-handshake (or refuses our certificate) is expected here.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A small, valid dcgm-exporter-like body. */
export const HEALTHY_BODY = [
  '# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).',
  '# TYPE DCGM_FI_DEV_GPU_TEMP gauge',
  'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3",Hostname="node01"} 41',
  '# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).',
  '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
  'DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3",Hostname="node01"} 312.5',
  '',
].join('\n');

export const healthy: Handler = (_req, res) => {
  res.setHeader('content-type', 'text/plain; version=0.0.4');
  res.end(HEALTHY_BODY);
};

/** One byte per second, never finishing: the deadline must cover the whole body. */
export const drip: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write('#');
  const timer = setInterval(() => res.write('#'), 1000);
  res.on('close', () => clearInterval(timer));
};

/** A body that never ends, written as fast as the client reads it. */
export const endless: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const chunk = Buffer.alloc(64 * 1024, 'a 1\n');
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
  };
  res.on('drain', pump);
  pump();
};

let bomb: Buffer | null = null;
/**
 * About 1 MB of gzip that inflates to about 1 GB: concatenated members of 10 MiB of zeros
 * (gzip allows several members in one stream, and decoders must read them all).
 */
export function gzipBomb(): Buffer {
  if (!bomb) {
    const member = gzipSync(Buffer.alloc(10 * 1024 * 1024), { level: 9 });
    bomb = Buffer.concat(Array.from({ length: Math.ceil(1_000_000 / member.length) }, () => member));
  }
  return bomb;
}

export const gzipBombHandler: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
  res.end(gzipBomb());
};

export const serverError: Handler = (_req, res) => {
  res.statusCode = 500;
  res.end('An error has occurred while serving metrics:\n\ncollection failed');
};

export const emptyOk: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end();
};

export const binary: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
  res.end(bytes);
};

/** Accepts the request and never answers. */
export const hang: Handler = () => undefined;

export function basicAuth(user: string, password: string): Handler {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return (req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="dcgm-exporter"' });
      res.end('Unauthorized\n');
      return;
    }
    healthy(req, res);
  };
}

export function bearerAuth(token: string): Handler {
  return (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' });
      res.end('Unauthorized\n');
      return;
    }
    healthy(req, res);
  };
}

/** A URL whose port nothing listens on: bind, note the port, close. */
export async function refusedUrl(): Promise<string> {
  const server = await startServer(healthy);
  await server.close();
  return server.url;
}
