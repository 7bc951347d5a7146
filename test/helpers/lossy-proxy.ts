/**
 * A loopback proxy in front of the emulator that loses what a bad network loses, by rule: the answer
 * to a request it forwarded (`drop-answer`: the service acted, the caller never hears of it), a
 * request it never forwards (`drop`), or a request it holds until the test lets it go (`hold`).
 * Requests are matched by their AWS operation (the JSON protocol's X-Amz-Target, `SageMaker.UpdateEndpoint`;
 * Lambda's REST routes by method and path, `PUT .../aliases/live` is `UpdateAlias`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Rule {
  /** The operation, e.g. `UpdateEndpoint` (matched against the end of X-Amz-Target). */
  operation: string;
  action: 'drop-answer' | 'drop' | 'hold';
  /** How many matching requests it applies to (default: every one, until removed). */
  times?: number;
}

export interface LossyProxy {
  url: string;
  /** Operations seen, in order, and what was done to each (`forwarded`, `drop-answer`, ...). */
  log: Array<{ operation: string; fate: string }>;
  add(rule: Rule): void;
  /** Removes every rule and lets held requests go on. */
  clear(): void;
  stop(): Promise<void>;
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  const upstream = new URL(target);
  let rules: Array<Rule & { left: number }> = [];
  let held: Array<() => void> = [];
  const log: LossyProxy['log'] = [];
  const server = http.createServer((req, res) => {
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() || restOperation(req.method ?? '', req.url ?? '');
    const rule = rules.find((r) => r.left > 0 && operation !== '' && r.operation === operation);
    if (rule) rule.left--;
    const fate = rule?.action ?? 'forwarded';
    log.push({ operation, fate });
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      if (fate === 'drop') return req.socket.destroy();
      const forward = () => {
        const up = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers
          },
          (answer) => {
            if (fate === 'drop-answer') {
              // The service has acted on the request; its answer goes nowhere.
              answer.resume();
              answer.on('end', () => req.socket.destroy());
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          }
        );
        up.on('error', () => req.socket.destroy());
        up.end(Buffer.concat(body));
      };
      if (fate === 'hold') held.push(forward);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    add: (rule) => rules.push({ ...rule, left: rule.times ?? Infinity }),
    clear: () => {
      rules = [];
      const go = held;
      held = [];
      go.forEach((f) => f());
    },
    stop: () =>
      new Promise<void>((resolve) => {
        rules = [];
        held = [];
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

/** Lambda's mutating REST operations, by method and path (the ones a deployment makes). */
const REST: Array<[string, RegExp, string]> = [
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction'],
  ['PUT', /^\/2015-03-31\/functions\/[^/]+\/code$/, 'UpdateFunctionCode'],
  ['PUT', /^\/2015-03-31\/functions\/[^/]+\/configuration$/, 'UpdateFunctionConfiguration'],
  ['POST', /^\/2015-03-31\/functions\/[^/]+\/versions$/, 'PublishVersion'],
  ['POST', /^\/2015-03-31\/functions\/[^/]+\/aliases$/, 'CreateAlias'],
  ['PUT', /^\/2015-03-31\/functions\/[^/]+\/aliases\/[^/]+$/, 'UpdateAlias'],
  ['PUT', /^\/2019-09-30\/functions\/[^/]+\/provisioned-concurrency$/, 'PutProvisionedConcurrencyConfig'],
  ['POST', /^\/2017-03-31\/tags\//, 'TagResource']
];

function restOperation(method: string, url: string): string {
  const path = url.split('?')[0];
  return REST.find(([m, p]) => m === method && p.test(path))?.[2] ?? '';
}
