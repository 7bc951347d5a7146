/**
 * An HTTP proxy in front of S3 that misbehaves on chosen requests, for ranged downloads and stalls:
 * `cut` sends the headers and half the body, then drops the connection; `stall` sends half the body
 * (a GET) or reads the request and never answers (a PUT), and keeps the connection open; `corrupt`
 * flips one byte of the body. `paceMs` slows every forwarded chunk, so a transfer lasts long enough
 * to report progress. It records every request (method, path, Range header) and the most requests
 * it had in flight at once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = 'pass' | 'cut' | 'stall' | 'corrupt';

export interface ProxiedRequest {
  method: string;
  url: string;
  range?: string;
}

export interface RangeProxyOptions {
  /** What to do with the `index`th request (0-based); default: pass. */
  decide?: (request: ProxiedRequest, index: number) => Behaviour;
  /** A pause after each forwarded body chunk, in ms. */
  paceMs?: number;
}

export interface RangeProxy {
  url: string;
  requests: ProxiedRequest[];
  /** What was done to each request, by behaviour. */
  done: Record<Behaviour, number>;
  maxInFlight: number;
  stop(): Promise<void>;
}

export async function startRangeProxy(target: string, options: RangeProxyOptions = {}): Promise<RangeProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const done: Record<Behaviour, number> = { pass: 0, cut: 0, stall: 0, corrupt: 0 };
  const state = { inFlight: 0, maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    const request: ProxiedRequest = { method: req.method!, url: req.url!, range: req.headers.range };
    const behaviour = options.decide?.(request, requests.length) ?? 'pass';
    requests.push(request);
    done[behaviour]++;
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    res.on('close', () => state.inFlight--);
    if (behaviour === 'stall' && req.method !== 'GET') {
      req.resume(); // read the upload, answer never
      return;
    }
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const length = Number(answer.headers['content-length'] ?? 0);
        let sent = 0;
        let flipped = false;
        answer.on('data', (chunk: Buffer) => {
          if (res.destroyed) return;
          if ((behaviour === 'cut' || behaviour === 'stall') && sent + chunk.length >= length / 2) {
            res.write(chunk.subarray(0, Math.max(0, Math.floor(length / 2) - sent)));
            sent = length;
            if (behaviour === 'cut') req.socket.destroy();
            answer.destroy(); // stall: nothing more is sent, the connection stays open
            return;
          }
          if (behaviour === 'corrupt' && !flipped && answer.statusCode! < 300) {
            chunk = Buffer.from(chunk);
            chunk[0] ^= 0xff;
            flipped = true;
          }
          sent += chunk.length;
          res.write(chunk);
          if (options.paceMs) {
            answer.pause();
            setTimeout(() => answer.resume(), options.paceMs);
          }
        });
        answer.on('end', () => {
          if (sent < length && behaviour !== 'pass' && behaviour !== 'corrupt') return;
          res.end();
        });
      }
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    done,
    get maxInFlight() {
      return state.maxInFlight;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
