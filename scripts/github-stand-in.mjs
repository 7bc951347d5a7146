// A loopback stand-in of the few GitHub REST endpoints the toolkit calls (issue comments), over real
// HTTP, so metrics-gate's comment can be seen without github.com: the demo and the tests point
// GITHUB_API_URL at it. Comments live in memory; every request is recorded.
//
//   GET   /repos/{owner}/{repo}/issues/{number}/comments?per_page=&page=   (Link header when more)
//   POST  /repos/{owner}/{repo}/issues/{number}/comments                   {body}
//   PATCH /repos/{owner}/{repo}/issues/comments/{id}                       {body}
//
// `deny: true` answers 403 "Resource not accessible by integration" to every write, as GitHub does
// for a token without pull-requests: write.
import http from 'node:http';

export async function startGitHubStandIn({ deny = false } = {}) {
  const comments = []; // {id, issue, owner, repo, body, user}
  const requests = [];
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      requests.push({ method: req.method, path: url.pathname, authorization: req.headers.authorization });
      const send = (status, value, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      if (!/^(token|Bearer) \S+/.test(req.headers.authorization ?? ''))
        return send(401, { message: 'Requires authentication' });
      let m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const all = comments.filter((c) => c.owner === m[1] && c.repo === m[2] && c.issue === Number(m[3]));
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p, rel) =>
          `<http://${req.headers.host}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        const headers = page < last ? { link: `${link(page + 1, 'next')}, ${link(last, 'last')}` } : {};
        return send(200, all.slice((page - 1) * perPage, page * perPage).map(view), headers);
      }
      if (m && req.method === 'POST') {
        if (deny) return send(403, { message: 'Resource not accessible by integration' });
        const comment = {
          id: nextId++,
          owner: m[1],
          repo: m[2],
          issue: Number(m[3]),
          body: JSON.parse(body || '{}').body ?? '',
          user: { login: 'github-actions[bot]', type: 'Bot' }
        };
        comments.push(comment);
        return send(201, view(comment));
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (m && req.method === 'PATCH') {
        if (deny) return send(403, { message: 'Resource not accessible by integration' });
        const comment = comments.find((c) => c.id === Number(m[3]));
        if (!comment) return send(404, { message: 'Not Found' });
        comment.body = JSON.parse(body || '{}').body ?? comment.body;
        return send(200, view(comment));
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    comments,
    requests,
    /** Adds a comment someone else wrote (for pagination tests). */
    seed(owner, repo, issue, body, login = 'someone') {
      comments.push({ id: nextId++, owner, repo, issue, body, user: { login, type: 'User' } });
    },
    close: () => new Promise((resolve) => server.close(resolve))
  };
}

function view(c) {
  return {
    id: c.id,
    body: c.body,
    user: c.user,
    html_url: `https://github.com/${c.owner}/${c.repo}/pull/${c.issue}#issuecomment-${c.id}`
  };
}
