// Users' traffic for the demo: requests of the example's smoke file POSTed one after another to a
// Lambda function URL (how API Gateway or any HTTP client calls the alias), counted by the model
// version that answered (the X-Model-Version header) and by status. Real requests, real answers: a
// broken build's errors are what its canary meets, nothing is injected.
import fs from 'node:fs';

export class Traffic {
  constructor(url, requestsFile, { everyMs = 40 } = {}) {
    this.url = url;
    this.bodies = fs
      .readFileSync(requestsFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.stringify(JSON.parse(line).body));
    this.everyMs = everyMs;
    this.counts = new Map();
    this.running = false;
  }

  start() {
    this.running = true;
    this.done = (async () => {
      for (let i = 0; this.running; i++) {
        const started = Date.now();
        const key = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: this.bodies[i % this.bodies.length]
        }).then(
          async (r) => {
            await r.arrayBuffer();
            return `${r.headers.get('x-model-version') ?? 'a function error'} ${r.status}`;
          },
          () => 'no answer'
        );
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, this.everyMs - (Date.now() - started)))
        );
      }
    })();
  }

  /** Counts since the last call, as `model-version status: n` lines; then starts counting afresh. */
  take() {
    const lines = [...this.counts].sort().map(([key, n]) => `${key}: ${n}`);
    this.counts = new Map();
    return lines;
  }

  async stop() {
    this.running = false;
    await this.done;
  }
}
