/**
 * A loopback stand-in of the GitHub Actions cache service, real HTTP, speaking what @actions/cache
 * calls: the v2 "results" twirp service (GetCacheEntryDownloadURL, CreateCacheEntry,
 * FinalizeCacheEntryUpload) with Azure-blob-style signed upload URLs (one-shot PUT, or PUT blocks then
 * a block list) and plain GET downloads, and the legacy v1 REST service (`_apis/artifactcache`).
 * Blobs live in a temp folder. Lookup as GitHub does it: each key in order, an exact match of key and
 * version first, then the newest entry whose key starts with it. Entries are immutable: creating an
 * existing key and version is refused (409).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  /** The blob's file in the stand-in's folder. */
  file: string;
  finalized: boolean;
  created: number;
}

export interface ActionsCacheStandIn {
  url: string;
  /** The variables the runner sets for the v2 service (or v1 with `{ v1: true }`). */
  env(options?: { v1?: boolean }): Record<string, string>;
  /** Finalized entries, oldest first. */
  entries(): CacheEntry[];
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  /** Answers every request with this status from now on (undefined: serve normally). */
  failWith(status: number | undefined): void;
  stop(): Promise<void>;
}

const TWIRP = '/twirp/github.actions.results.api.v1.CacheService/';
const TOKEN = 'stand-in-runtime-token';

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startActionsCache(): Promise<ActionsCacheStandIn> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actions-cache-'));
  const entries: CacheEntry[] = [];
  const blocks = new Map<string, Buffer>();
  const requests: string[] = [];
  let failure: number | undefined;
  let nextId = 1;
  let clock = 0;
  let base = '';

  const find = (keys: string[], version: string): CacheEntry | undefined => {
    const ready = entries.filter((e) => e.finalized && e.version === version);
    for (const key of keys) {
      const exact = ready.find((e) => e.key === key);
      if (exact) return exact;
      const prefixed = ready.filter((e) => e.key.startsWith(key)).sort((a, b) => b.created - a.created);
      if (prefixed.length) return prefixed[0];
    }
    return undefined;
  };
  const create = (key: string, version: string): CacheEntry | undefined => {
    if (entries.some((e) => e.key === key && e.version === version)) return undefined;
    const id = nextId++;
    const entry = { id, key, version, file: path.join(dir, `${id}.blob`), finalized: false, created: 0 };
    entries.push(entry);
    return entry;
  };
  const blobUrl = (e: CacheEntry, sig: string) => `${base}/devstoreaccount1/cache/${e.id}?sig=${sig}`;
  const json = (res: http.ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  async function twirp(method: string, body: Record<string, unknown>, res: http.ServerResponse) {
    const key = String(body.key ?? '');
    const version = String(body.version ?? '');
    if (method === 'GetCacheEntryDownloadURL') {
      const restore = (body.restore_keys ?? body.restoreKeys ?? []) as string[];
      const hit = find([key, ...restore], version);
      return json(
        res,
        200,
        hit ? { ok: true, signed_download_url: blobUrl(hit, 'read'), matched_key: hit.key } : { ok: false }
      );
    }
    if (method === 'CreateCacheEntry') {
      const entry = create(key, version);
      if (!entry) return json(res, 409, { code: 'already_exists', msg: 'cache entry already exists' });
      return json(res, 200, { ok: true, signed_upload_url: blobUrl(entry, 'write') });
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const entry = entries.find((e) => e.key === key && e.version === version && !e.finalized);
      if (!entry || !fs.existsSync(entry.file)) return json(res, 200, { ok: false, message: 'no upload' });
      entry.finalized = true;
      entry.created = ++clock;
      return json(res, 200, { ok: true, entry_id: String(entry.id) });
    }
    return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
  }

  async function blob(req: http.IncomingMessage, res: http.ServerResponse, id: number, url: URL) {
    const entry = entries.find((e) => e.id === id);
    if (!entry) return json(res, 404);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!entry.finalized) return json(res, 404);
      const data = fs.readFileSync(entry.file);
      res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/octet-stream' });
      return res.end(req.method === 'GET' ? data : undefined);
    }
    if (req.method !== 'PUT' || entry.finalized) return json(res, 405);
    const data = await readBody(req);
    const comp = url.searchParams.get('comp');
    if (comp === 'block') blocks.set(`${id}/${url.searchParams.get('blockid')}`, data);
    else if (comp === 'blocklist') {
      const ids = [...data.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g)];
      fs.writeFileSync(
        entry.file,
        Buffer.concat(ids.map((m) => blocks.get(`${id}/${m[1]}`) ?? Buffer.alloc(0)))
      );
    } else fs.writeFileSync(entry.file, data);
    res.writeHead(201, {
      etag: `"${id}"`,
      'last-modified': new Date().toUTCString(),
      'x-ms-request-id': String(id),
      'x-ms-version': '2024-11-04',
      'x-ms-request-server-encrypted': 'true'
    });
    res.end();
  }

  async function v1(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rest: string) {
    if (req.method === 'GET' && rest === 'cache') {
      const keys = (url.searchParams.get('keys') ?? '').split(',');
      const hit = find(keys, url.searchParams.get('version') ?? '');
      if (!hit) return json(res, 204);
      return json(res, 200, { cacheKey: hit.key, archiveLocation: blobUrl(hit, 'read') });
    }
    const body = await readBody(req);
    if (req.method === 'POST' && rest === 'caches') {
      const { key, version } = JSON.parse(body.toString('utf8')) as { key: string; version: string };
      const entry = create(key, version);
      if (!entry) return json(res, 409, { message: 'cache entry already exists' });
      fs.writeFileSync(entry.file, '');
      return json(res, 201, { cacheId: entry.id });
    }
    const entry = entries.find((e) => rest === `caches/${e.id}` && !e.finalized);
    if (!entry) return json(res, 404);
    if (req.method === 'PATCH') {
      const start = Number(/bytes (\d+)-/.exec(String(req.headers['content-range']))?.[1] ?? 0);
      const fd = fs.openSync(entry.file, 'r+');
      fs.writeSync(fd, body, 0, body.length, start);
      fs.closeSync(fd);
      return json(res, 204);
    }
    entry.finalized = true;
    entry.created = ++clock;
    return json(res, 204);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    requests.push(`${req.method} ${url.pathname}`);
    const handle = async () => {
      if (failure) return json(res, failure, { msg: 'the stand-in was told to fail' });
      const blobMatch = /^\/devstoreaccount1\/cache\/(\d+)$/.exec(url.pathname);
      if (blobMatch) return blob(req, res, Number(blobMatch[1]), url);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { msg: 'no token' });
      if (url.pathname.startsWith(TWIRP)) {
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
        return twirp(url.pathname.slice(TWIRP.length), body, res);
      }
      const v1Match = /^\/_apis\/artifactcache\/(.+)$/.exec(url.pathname);
      if (v1Match) return v1(req, res, url, v1Match[1]);
      return json(res, 404);
    };
    handle().catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { msg: String(e) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    env: (options = {}): Record<string, string> =>
      options.v1
        ? { ACTIONS_RUNTIME_TOKEN: TOKEN, ACTIONS_CACHE_URL: `${base}/` }
        : { ACTIONS_RUNTIME_TOKEN: TOKEN, ACTIONS_RESULTS_URL: `${base}/`, ACTIONS_CACHE_SERVICE_V2: 'true' },
    entries: () => entries.filter((e) => e.finalized).sort((a, b) => a.created - b.created),
    requests,
    failWith(status) {
      failure = status;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}
