/**
 * An HTTP proxy in front of a server that misbehaves for a share of requests: answers 500, resets the
 * connection, or (GET) sends the headers and half the body, then cuts the connection. Seeded, so a
 * test sees the same faults each run.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '500' | 'reset' | 'truncate';

export interface FaultProxy {
  url: string;
  /** Faults injected so far, by kind. */
  injected: Record<Fault, number>;
  requests: number;
  /** `METHOD /path?query` of every request, in order. */
  lines: string[];
  /** Change the share of requests that fail (0 turns faults off). */
  setRate(rate: number): void;
  stop(): Promise<void>;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultOptions {
  /** Share of requests that fail, 0 to 1. */
  rate: number;
  seed?: number;
  faults?: Fault[];
  /** Requests whose path contains one of these always fail (a reset). */
  alwaysFail?: string[];
  /** Delay before forwarding each request, in ms (to slow a transfer down). */
  delayMs?: number;
}

export async function startFaultProxy(target: string, options: FaultOptions): Promise<FaultProxy> {
  const upstream = new URL(target);
  const random = prng(options.seed ?? 42);
  let rate = options.rate;
  const kinds = options.faults ?? ['500', 'reset', 'truncate'];
  const injected: Record<Fault, number> = { '500': 0, reset: 0, truncate: 0 };
  const state = { requests: 0 };
  const lines: string[] = [];
  const server = http.createServer((req, res) => {
    state.requests++;
    lines.push(`${req.method} ${req.url}`);
    let fault: Fault | undefined;
    if (random() < rate) {
      fault = kinds[Math.floor(random() * kinds.length)];
      if (fault === 'truncate' && req.method !== 'GET') fault = '500';
    }
    if (options.alwaysFail?.some((p) => req.url?.includes(p))) fault = 'reset';
    if (fault === '500' || fault === 'reset') {
      injected[fault]++;
      req.resume();
      req.on('end', () => {
        if (fault === 'reset') return req.socket.destroy();
        const body =
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected fault</Message></Error>';
        res.writeHead(500, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const forward = () =>
      http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          const length = Number(up.headers['content-length'] ?? 0);
          if (fault === 'truncate' && length > 1) {
            injected.truncate++;
            let sent = 0;
            up.on('data', (chunk: Buffer) => {
              const room = Math.floor(length / 2) - sent;
              if (room > 0) res.write(chunk.subarray(0, room));
              sent += chunk.length;
              if (sent >= length / 2) {
                up.destroy();
                req.socket.destroy();
              }
            });
            return;
          }
          up.pipe(res);
        }
      );
    const send = () => {
      const upstreamRequest = forward();
      upstreamRequest.on('error', () => req.socket.destroy());
      req.pipe(upstreamRequest);
    };
    if (options.delayMs) setTimeout(send, options.delayMs);
    else send();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    injected,
    lines,
    get requests() {
      return state.requests;
    },
    setRate(r: number) {
      rate = r;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
