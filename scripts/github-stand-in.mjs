// Used by the tests (test/helpers/github-stand-in.ts re-exports it) and by the demo.
/**
 * A loopback stand-in of the few GitHub REST endpoints the toolkit calls, served under a path prefix
 * as GitHub Enterprise Server does (`http://127.0.0.1:<port>/api/v3`): list an issue's comments
 * (per_page, page, and a Link header as GitHub sends it, 30 a page by default), create a comment,
 * update a comment. `mode` makes it refuse: `forbidden` answers 403 to everything (a token without
 * permission), `read-only` lists but answers 403 to writes. Every call is recorded.
 */
import http from 'node:http';

export class GitHubStandIn {
  calls = [];
  comments = [];
  /** ok, forbidden or read-only */
  mode = 'ok';
  /** When true, the next write is applied and its answer lost (the connection is cut): once. */
  loseNextWriteAnswer = false;
  server;
  nextId = 1000;
  base = '';

  constructor(repository = 'octo-org/news-classifier', prefix = '/api/v3') {
    this.repository = repository;
    this.prefix = prefix;
  }

  /** Starts on a free loopback port; returns the API URL (GITHUB_API_URL). */
  async start() {
    this.server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => this.handle(req, res, text));
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address();
    this.base = `http://127.0.0.1:${port}${this.prefix}`;
    return this.base;
  }

  async stop() {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Puts comments on an issue as if others had written them. */
  seed(issue, bodies, user = 'someone') {
    for (const body of bodies) this.comments.push({ id: this.nextId++, issue, body, user });
  }

  commentsOn(issue) {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** The calls that would change something (POST, PATCH, PUT, DELETE). */
  writes() {
    return this.calls.filter((c) => c.method !== 'GET');
  }

  reset() {
    this.calls.length = 0;
    this.comments.length = 0;
    this.mode = 'ok';
    this.loseNextWriteAnswer = false;
  }

  view(c) {
    return {
      id: c.id,
      body: c.body,
      user: { login: c.user, type: c.user.endsWith('[bot]') ? 'Bot' : 'User' },
      html_url: `https://github.com/${this.repository}/pull/${c.issue}#issuecomment-${c.id}`
    };
  }

  handle(req, res, text) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const query = Object.fromEntries(url.searchParams);
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const method = req.method ?? 'GET';
    this.calls.push({ method, path: url.pathname, query, body, authorization: req.headers.authorization });
    const lose = method !== 'GET' && this.loseNextWriteAnswer;
    if (lose) this.loseNextWriteAnswer = false;
    const send = (status, doc, headers = {}) => {
      if (lose) return req.socket.destroy();
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(doc));
    };
    const refused = () =>
      send(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments',
        status: '403'
      });
    if (this.mode === 'forbidden' || (this.mode === 'read-only' && method !== 'GET')) return refused();

    const repo = `${this.prefix}/repos/${this.repository}`;
    const list = new RegExp(`^${repo}/issues/(\\d+)/comments$`).exec(url.pathname);
    const one = new RegExp(`^${repo}/issues/comments/(\\d+)$`).exec(url.pathname);
    if (list && method === 'GET') {
      const perPage = Math.min(Number(query.per_page) || 30, 100);
      const page = Math.max(Number(query.page) || 1, 1);
      const all = this.commentsOn(Number(list[1]));
      const last = Math.max(Math.ceil(all.length / perPage), 1);
      const link = (p, rel) =>
        `<${this.base}/repos/${this.repository}/issues/${list[1]}/comments?per_page=${perPage}&page=${p}>; rel="${rel}"`;
      const links = [
        ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
        ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])
      ];
      const slice = all.slice((page - 1) * perPage, page * perPage).map((c) => this.view(c));
      return send(200, slice, links.length ? { link: links.join(', ') } : {});
    }
    if (list && method === 'POST') {
      const comment = {
        id: this.nextId++,
        issue: Number(list[1]),
        body: String(body?.body ?? ''),
        user: 'github-actions[bot]'
      };
      this.comments.push(comment);
      return send(201, this.view(comment));
    }
    if (one && method === 'PATCH') {
      const comment = this.comments.find((c) => c.id === Number(one[1]));
      if (!comment) return send(404, { message: 'Not Found', status: '404' });
      comment.body = String(body?.body ?? '');
      return send(200, this.view(comment));
    }
    return send(404, { message: 'Not Found', status: '404' });
  }
}
