/** The registry HTTP API client against a small registry on loopback: Basic (ECR) and Bearer auth. */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../src/docker/registry.js';
import { UserError } from '../../src/errors.js';

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: {
    mediaType: 'application/vnd.docker.container.image.v1+json',
    size: 1000,
    digest: 'sha256:' + 'c'.repeat(64)
  },
  layers: [
    {
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      size: 3000,
      digest: 'sha256:' + 'd'.repeat(64)
    }
  ]
});
const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

interface Seen {
  path: string;
  authorization?: string;
  accept?: string;
}

async function serve(
  auth: 'none' | 'basic' | 'bearer'
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url?.startsWith('/token')) {
      const ok = req.headers.authorization === `Basic ${Buffer.from('me:pw').toString('base64')}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(ok ? { token: 'tok-123' } : {}));
    }
    const expected =
      auth === 'basic'
        ? `Basic ${Buffer.from('AWS:pw').toString('base64')}`
        : auth === 'bearer'
          ? 'Bearer tok-123'
          : undefined;
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, {
        'www-authenticate':
          auth === 'basic'
            ? 'Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"'
            : `Bearer realm="${base}/token",service="registry.test",scope="repository:team/news:pull"`
      });
      return res.end();
    }
    if (req.url === '/v2/team/news/manifests/v1') {
      res.writeHead(200, {
        'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
        'docker-content-digest': digest
      });
      return res.end(manifest);
    }
    if (req.url === '/v2/team/news/tags/list?n=1000') {
      res.writeHead(200, {
        'content-type': 'application/json',
        link: '</v2/team/news/tags/list?n=1000&last=b>; rel="next"'
      });
      return res.end(JSON.stringify({ name: 'team/news', tags: ['a', 'b'] }));
    }
    if (req.url === '/v2/team/news/tags/list?n=1000&last=b') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ name: 'team/news', tags: ['v1'] }));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  };
}

describe('RegistryClient', () => {
  it('reads what a tag holds: its digest (computed and checked), config digest and size', async () => {
    const registry = await serve('none');
    try {
      const client = new RegistryClient('127.0.0.1', undefined, fetch, registry.url);
      expect(await client.manifest('team/news', 'v1')).toEqual({
        digest,
        configDigest: 'sha256:' + 'c'.repeat(64),
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        size: 4000
      });
      expect(registry.seen[0].accept).toContain('application/vnd.oci.image.index.v1+json');
      expect(await client.manifest('team/news', 'missing')).toBeUndefined();
      expect(await client.tags('team/news')).toEqual(['a', 'b', 'v1']);
      expect(await client.tags('team/other')).toBeUndefined();
    } finally {
      await registry.close();
    }
  });

  it('answers a Basic challenge (ECR) with the credentials', async () => {
    const registry = await serve('basic');
    try {
      const client = new RegistryClient(
        '127.0.0.1',
        { username: 'AWS', password: 'pw' },
        fetch,
        registry.url
      );
      expect((await client.manifest('team/news', 'v1'))?.digest).toBe(digest);
      expect(registry.seen.map((s) => s.authorization)).toEqual([
        undefined,
        `Basic ${Buffer.from('AWS:pw').toString('base64')}`
      ]);
      // The authorization is kept for the next request.
      await client.manifest('team/news', 'v1');
      expect(registry.seen).toHaveLength(3);
    } finally {
      await registry.close();
    }
  });

  it('answers a Bearer challenge with a token from the realm, fetched with the credentials', async () => {
    const registry = await serve('bearer');
    try {
      const client = new RegistryClient('127.0.0.1', { username: 'me', password: 'pw' }, fetch, registry.url);
      expect((await client.manifest('team/news', 'v1'))?.digest).toBe(digest);
      expect(registry.seen.map((s) => s.path)).toEqual([
        '/v2/team/news/manifests/v1',
        '/token?service=registry.test&scope=repository%3Ateam%2Fnews%3Apull',
        '/v2/team/news/manifests/v1'
      ]);
    } finally {
      await registry.close();
    }
  });

  it('refused credentials are a user error', async () => {
    const registry = await serve('bearer');
    try {
      const client = new RegistryClient(
        '127.0.0.1',
        { username: 'me', password: 'wrong' },
        fetch,
        registry.url
      );
      const error = await client.manifest('team/news', 'v1').catch((e) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toBe(
        'The registry 127.0.0.1 refused a token for team/news (HTTP 401): check the username and password.'
      );
    } finally {
      await registry.close();
    }
    const basic = await serve('basic');
    try {
      const anonymous = new RegistryClient('127.0.0.1', undefined, fetch, basic.url);
      await expect(anonymous.manifest('team/news', 'v1')).rejects.toThrow(
        'The registry 127.0.0.1 needs a username and password.'
      );
    } finally {
      await basic.close();
    }
  });
});
