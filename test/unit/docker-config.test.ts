/** The private DOCKER_CONFIG: seeded from the caller's, no credential stores, removed afterwards. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callerCredentials, login, withPrivateConfig } from '../../src/docker/config.js';
import { UserError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/report.js';
import { FakeDocker } from '../helpers/fake-docker.js';

let temp: string;
let caller: string;
const callerConfig = {
  auths: { 'ghcr.io': { auth: 'b3RoZXI6dG9rZW4=' } },
  credsStore: 'desktop',
  credHelpers: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' },
  currentContext: 'remote'
};

beforeEach(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-test-'));
  caller = path.join(temp, 'caller');
  fs.mkdirSync(path.join(caller, 'buildx', 'instances'), { recursive: true });
  fs.mkdirSync(path.join(caller, 'contexts'));
  fs.writeFileSync(path.join(caller, 'config.json'), JSON.stringify(callerConfig));
});
afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

describe('withPrivateConfig', () => {
  it('gives docker a private directory seeded from the caller and removes it afterwards', async () => {
    const docker = new FakeDocker();
    let seen = '';
    await withPrivateConfig(docker, { callerConfigDir: caller, tempRoot: temp }, async (config) => {
      seen = config.dir;
      expect(path.dirname(config.dir)).toBe(temp);
      expect(fs.statSync(config.dir).mode & 0o777).toBe(0o700);
      const copied = JSON.parse(fs.readFileSync(path.join(config.dir, 'config.json'), 'utf8'));
      // Other logins and the context stay; credential stores go, so a login lands in this file.
      expect(copied).toEqual({ auths: callerConfig.auths, currentContext: 'remote' });
      expect(fs.realpathSync(path.join(config.dir, 'buildx'))).toBe(
        fs.realpathSync(path.join(caller, 'buildx'))
      );
      expect(fs.existsSync(path.join(config.dir, 'cli-plugins'))).toBe(false);
      await config.docker.run({ args: ['version'] });
    });
    expect(docker.calls[0].env).toEqual({ DOCKER_CONFIG: seen });
    expect(fs.existsSync(seen)).toBe(false);
    // The caller's own files are untouched.
    expect(JSON.parse(fs.readFileSync(path.join(caller, 'config.json'), 'utf8'))).toEqual(callerConfig);
    expect(fs.existsSync(path.join(caller, 'buildx', 'instances'))).toBe(true);
  });

  it('removes the directory when the work fails too', async () => {
    let seen = '';
    await expect(
      withPrivateConfig(new FakeDocker(), { callerConfigDir: caller, tempRoot: temp }, async (config) => {
        seen = config.dir;
        throw new Error('build failed');
      })
    ).rejects.toThrow('build failed');
    expect(fs.existsSync(seen)).toBe(false);
  });

  it('works without a caller config', async () => {
    await withPrivateConfig(
      new FakeDocker(),
      { callerConfigDir: path.join(temp, 'none'), tempRoot: temp },
      async (config) => {
        expect(JSON.parse(fs.readFileSync(path.join(config.dir, 'config.json'), 'utf8'))).toEqual({});
      }
    );
  });
});

describe('login', () => {
  it('passes the password on stdin, never as an argument', async () => {
    const docker = new FakeDocker();
    const log = new MemoryLogger();
    await login(docker, '127.0.0.1:5000', 'AWS', 'p4ssw0rd', log);
    expect(docker.calls[0].args).toEqual([
      'login',
      '--username',
      'AWS',
      '--password-stdin',
      '127.0.0.1:5000'
    ]);
    expect(docker.calls[0].input).toBe('p4ssw0rd');
    expect(log.text()).not.toContain('p4ssw0rd');
  });

  it('a refused login is a user error', async () => {
    const docker = new FakeDocker(() => ({
      code: 1,
      stderr: 'Error response from daemon: login attempt failed with status: 401 Unauthorized'
    }));
    const error = await login(docker, 'ghcr.io', 'me', 'wrong', new MemoryLogger()).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'docker login to ghcr.io as me failed (Error response from daemon: login attempt failed with status: 401 Unauthorized): check the credentials and that the registry is reachable.'
    );
  });
});

describe('callerCredentials', () => {
  it("reads the caller's own login for a registry (docker/login-action writes it there)", () => {
    expect(callerCredentials(caller, 'ghcr.io')).toEqual({ username: 'other', password: 'token' });
    expect(callerCredentials(caller, 'registry.example.com')).toBeUndefined();
    expect(callerCredentials(path.join(temp, 'none'), 'ghcr.io')).toBeUndefined();
    expect(callerCredentials(undefined, 'ghcr.io')).toBeUndefined();
  });
});
