import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../../src/cli/api-client.js';
import { UsageError } from '../../../src/cli/command.js';
import { retryCommandWith } from '../../../src/cli/commands/retry.js';
import { statusCommandWith } from '../../../src/cli/commands/status.js';
import { main } from '../../../src/cli/main.js';
import { zeroCounts } from './fake-services.js';
import { bearer, event, makeApi, TOKENS, type TestApi } from './fixtures.js';

/** fetch routed to app.inject(): the commands' real HTTP client, without a socket */
function injectFetch(t: TestApi, seen: { url: string; headers: Record<string, string> }[] = []): FetchLike {
  return async (url, init) => {
    seen.push({ url, headers: init.headers });
    const res = await t.app.inject({
      method: init.method as 'GET' | 'POST',
      url: new URL(url).pathname,
      headers: init.headers,
      ...(init.body === undefined ? {} : { payload: init.body }),
    });
    return new Response(res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type']) } });
  };
}

function io() {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _e, done) {
        append(chunk.toString());
        done();
      },
    });
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) },
    out: () => out,
    err: () => err,
  };
}

describe('fleet-enroll status / retry', () => {
  let t: TestApi;
  let tokenFile: string;
  beforeAll(async () => {
    t = await makeApi();
    const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
    tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKENS.admin}\n`);
    await t.app.inject({
      method: 'POST',
      url: '/v1/enrollments',
      headers: bearer(TOKENS.admin),
      payload: { events: [event(1), event(2), event(3, 'plant-b')] },
    });
    t.services.devices.set('SN-1', {
      deviceId: 'SN-1',
      siteId: 'plant-a',
      thingName: 'edge-SN-1',
      state: 'failed',
      batchId: 'plant-a-1',
      activationId: null,
      managedNodeId: null,
      rebatches: 0,
      timestamps: { accepted: '2026-01-01T00:00:00.000Z', failed: '2026-01-01T00:00:03.000Z' },
      updatedAt: '2026-01-01T00:00:03.000Z',
      error: 'CreateActivation failed: InvalidParameters: IamRole EdgeSSMRole does not exist',
    });
    t.services.batches.set('plant-a-1', {
      batchId: 'plant-a-1',
      siteId: 'plant-a',
      region: 'eu-central-1',
      state: 'blocked',
      blockedReason: 'quota',
      size: 2,
      activationId: null,
      expiresAt: null,
      attempts: 0,
      strays: 0,
      counts: { ...zeroCounts(), batched: 2 },
      error: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('status without a selector lists every site with devices per state and a total', async () => {
    const c = io();
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const code = await statusCommandWith(injectFetch(t, seen)).run(['--token', TOKENS.admin, '--api', 'http://api.test:8080/'], c.io);
    expect(code).toBe(0);
    const lines = c.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^site\s+accepted\s+batched.*failed\s+buffered\s+next cut$/);
    expect(lines.find((l) => l.startsWith('plant-a'))).toMatch(/^plant-a\s+2\s+0/);
    expect(lines.find((l) => l.startsWith('plant-b'))).toMatch(/^plant-b\s+1\s+0/);
    expect(lines.at(-1)).toMatch(/^total\s+3\s+0/);
    expect(seen[0]!.url).toBe('http://api.test:8080/v1/sites');
    expect(seen[0]!.headers['authorization']).toBe(`Bearer ${TOKENS.admin}`);
  });

  it('status --device shows the device and its error; --json prints the API view', async () => {
    const c = io();
    await statusCommandWith(injectFetch(t)).run(['--device', 'SN-1', '--token-file', tokenFile], c.io);
    expect(c.out()).toMatch(/state\s+failed/);
    expect(c.out()).toContain('IamRole EdgeSSMRole does not exist');
    expect(c.out()).toMatch(/failed at\s+2026-01-01T00:00:03.000Z/);
    const j = io();
    await statusCommandWith(injectFetch(t)).run(['--device', 'SN-1', '--json', '--token', TOKENS.lineA], j.io);
    expect(JSON.parse(j.out())).toMatchObject({ deviceId: 'SN-1', state: 'failed', batchId: 'plant-a-1' });
  });

  it('status --batch and --site show their views; several selectors print each', async () => {
    const c = io();
    await statusCommandWith(injectFetch(t)).run(['--batch', 'plant-a-1', '--site', 'plant-a', '--token', TOKENS.admin], c.io);
    expect(c.out()).toMatch(/state\s+blocked \(quota\)/);
    expect(c.out()).toMatch(/buffered\s+2/);
    const j = io();
    await statusCommandWith(injectFetch(t)).run(['--batch', 'plant-a-1', '--site', 'plant-a', '--json', '--token', TOKENS.admin], j.io);
    const both = JSON.parse(j.out());
    expect(both.batch.batchId).toBe('plant-a-1');
    expect(both.site.siteId).toBe('plant-a');
  });

  it('status of something unknown or forbidden fails with the API’s message (exit 1 through main)', async () => {
    await expect(statusCommandWith(injectFetch(t)).run(['--device', 'SN-404', '--token', TOKENS.admin], io().io)).rejects.toThrow(
      'device "SN-404" not found',
    );
    await expect(statusCommandWith(injectFetch(t)).run(['--site', 'plant-b', '--token', TOKENS.lineA], io().io)).rejects.toThrow(
      'this token may not read site "plant-b"',
    );
    await expect(statusCommandWith(injectFetch(t)).run([], io().io)).rejects.toThrow(/--token/);
  });

  it('retry --batch / --site / --all-failed POST the admin routes and report what was re-driven', async () => {
    const c = io();
    await retryCommandWith(injectFetch(t)).run(['--batch', 'plant-a-1', '--token', TOKENS.admin], c.io);
    await retryCommandWith(injectFetch(t)).run(['--site', 'plant-a', '--token', TOKENS.admin], c.io);
    await retryCommandWith(injectFetch(t)).run(['--all-failed', '--token', TOKENS.admin, '--json'], c.io);
    expect(c.out().split('\n')).toEqual([
      're-driven (batch plant-a-1): 1 batch, 2 devices back in flight',
      're-driven (site plant-a): 2 batches, 7 devices back in flight',
      '{"batches":3,"devices":9}',
      '',
    ]);
    expect(t.services.retried.slice(-3)).toEqual(['batch:plant-a-1', 'site:plant-a', 'all']);
    await expect(retryCommandWith(injectFetch(t)).run(['--all-failed', '--token', TOKENS.lineA], io().io)).rejects.toThrow(/admin/);
  });

  it.each([
    [[], 'exactly one of'],
    [['--batch', 'b', '--site', 's'], 'exactly one of'],
    [['--all-failed', '--token', 'a', '--token-file', 'f'], 'exclude each other'],
    [['--all-failed', '--api', 'ftp://x'], '--api'],
    [['--all-failed', '--token-file', '/nonexistent/token'], 'cannot read'],
  ])('retry %j is a usage error (%s)', async (argv, message) => {
    const run = retryCommandWith(injectFetch(t)).run(argv, io().io);
    await expect(run).rejects.toThrow(UsageError);
    await expect(retryCommandWith(injectFetch(t)).run(argv, io().io)).rejects.toThrow(message);
  });

  it('is registered in the CLI; a bad flag is one line and exit 2', async () => {
    const help = io();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out()).toMatch(/status\s+where things stand/);
    expect(help.out()).toMatch(/retry\s+re-drive what failed/);
    const bad = io();
    expect(await main(['status', '--bogus'], bad.io)).toBe(2);
    expect(bad.err().trim().split('\n')).toHaveLength(1);
  });

  it('says clearly when the API cannot be reached', async () => {
    // what undici's fetch throws on a refused connection
    const refused: FetchLike = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    };
    await expect(statusCommandWith(refused).run(['--api', 'http://127.0.0.1:9'], io().io)).rejects.toThrow(
      'cannot reach the API at http://127.0.0.1:9 (ECONNREFUSED)',
    );
  });

  it('escapes control characters a device put in its error, never passing them to the terminal', async () => {
    t.services.devices.set('SN-ESC', {
      deviceId: 'SN-ESC',
      siteId: 'plant-a',
      thingName: 'SN-ESC',
      state: 'delivered',
      batchId: null,
      activationId: null,
      managedNodeId: null,
      rebatches: 0,
      timestamps: {},
      updatedAt: null,
      error: 'boom\u001b]0;owned\u0007\u001b[2J\u009b1m\r\nforged line',
    });
    const c = io();
    await statusCommandWith(injectFetch(t)).run(['--device', 'SN-ESC', '--token', TOKENS.admin], c.io);
    expect(c.out()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(c.out()).toContain('boom\\x1b]0;owned\\x07\\x1b[2J\\x9b1m\\x0d\\x0aforged line');
    // the table still has one row for the error
    expect(c.out().split('\n').filter((l) => l.includes('forged line'))).toHaveLength(1);
  });

  it('looks up the ids "." and ".." as ids (escaped path segments), not as the parent path', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const notFound: FetchLike = async (url, init) => {
      seen.push({ url, headers: init.headers });
      return new Response('{"error":{"code":"NOT_FOUND","message":"device not found"}}', { status: 404 });
    };
    for (const id of ['.', '..']) await expect(statusCommandWith(notFound).run(['--device', id], io().io)).rejects.toThrow('not found');
    expect(seen.map((s) => s.url)).toEqual(['http://127.0.0.1:8080/v1/devices/%2E', 'http://127.0.0.1:8080/v1/devices/%2E%2E']);
  });

  it('never echoes the password of an --api URL', async () => {
    const refused: FetchLike = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    };
    const run = statusCommandWith(refused).run(['--api', 'http://ops:hunter2-secret@127.0.0.1:9'], io().io);
    await expect(run).rejects.toThrow('cannot reach the API at http://127.0.0.1:9 (ECONNREFUSED)');
    for (const api of ['ftp://ops:hunter2-secret@host', 'ops:hunter2-secret@ not a url']) {
      const c = io();
      expect(await main(['status', '--api', api], c.io)).toBe(2);
      expect(c.err()).toContain('***@');
      expect(c.err()).not.toContain('hunter2');
    }
  });
});
