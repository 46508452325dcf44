/**
 * `fleet-enroll enqueue` as a child process against the real API and intake (createApp on a unique Redis
 * prefix): a 100,000-row CSV with 10 bad rows reports exactly those 10 line numbers; sending known devices
 * again reports them as duplicates and exits 0. The token never appears in the command's output.
 */
import '../../../src/node-warnings.js';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { Config } from '../../../src/config.js';
import { Keys } from '../../../src/redis/keys.js';
import { testConfig } from '../pipeline/support/test-config.js';
import { runCli, waitFor } from '../device/helpers.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';

const ROWS = 100_000;
const TOKEN = `line-token-${randomBytes(12).toString('hex')}`;

let config: Config;
let app: App;
let dir: string;
let site: string;

/** line number → how the row is broken; the API judges the first five, the CSV reader the rest */
const BAD_ROWS: Record<number, string> = {
  1_234: 'SN bad space,edge-x,X1',
  9_999: 'SN-ok-thing,edge/slash,X1',
  10_001: 'SN-long-attr,edge-y,' + 'v'.repeat(900),
  40_000: ',edge-empty-id,X1',
  77_777: 'SN-' + 'x'.repeat(130) + ',edge-z,X1',
  2: 'SN-too,many,fields,here',
  50_000: 'SN-few-fields',
  60_000: '"SN-unclosed,edge,X1',
  70_000: 'SN-"quote,edge,X1',
  100_001: '"SN-after"quote,edge,X1',
};

beforeAll(async () => {
  site = `enq-${randomBytes(3).toString('hex')}`;
  const base = testConfig({ sites: [{ id: site, maxBatchSize: 1000, batchWindowMs: 60_000 }] });
  config = Object.freeze({
    ...base,
    apiTokens: [{ name: 'line-station', sha256: createHash('sha256').update(TOKEN).digest('hex'), role: 'line' as const, sites: [site] }],
  });
  app = await createApp(config, {
    roles: ['api', 'intake'],
    listen: { host: '127.0.0.1', port: 0 },
    logger: createLogger('warn'),
    metrics: new Metrics(),
  });
  await app.start();
  dir = await mkdtemp(join(tmpdir(), 'fleet-enqueue-it-'));
  await writeFile(join(dir, 'token'), `${TOKEN}\n`);
});

afterAll(async () => {
  await app.stop();
  await deleteMatching(config.redisUrl, new Keys(config.keyPrefix).everything);
  await rm(dir, { recursive: true, force: true });
});

function rowsCsv(): string {
  const lines = ['deviceId,thingName,attr.model'];
  // data lines are 2..ROWS+1; a few end in CRLF like a spreadsheet export
  for (let line = 2; line <= ROWS + 1; line++) {
    const row = BAD_ROWS[line] ?? `${site}-SN-${line},edge-${site}-${line},X1`;
    lines.push(line % 1000 === 0 ? `${row}\r` : row);
  }
  return lines.join('\n') + '\n';
}

async function enqueue(file: string, ...extra: string[]) {
  const child = runCli(['enqueue', '--site', site, '--file', file, '--api', app.url ?? '', '--token-file', join(dir, 'token'), ...extra]);
  const code = await child.exited;
  return { code, stdout: child.stdout, stderr: child.stderr };
}

describe('fleet-enroll enqueue', () => {
  it('reports exactly the bad rows of a 100,000-row CSV by line number and accepts the rest', async () => {
    const file = join(dir, 'devices.csv');
    await writeFile(file, rowsCsv());
    const { code, stdout, stderr } = await enqueue(file, '--batch', '10000');

    expect(code).toBe(1);
    const reported = [...stdout.matchAll(/^line (\d+)/gm)].map((m) => Number(m[1]));
    expect(reported).toEqual(Object.keys(BAD_ROWS).map(Number).sort((a, b) => a - b));
    expect(stdout).toMatch(/^read\s+100,000$/m);
    expect(stdout).toMatch(/^accepted\s+99,990$/m);
    expect(stdout).toMatch(/^duplicates\s+0$/m);
    expect(stdout).toMatch(/^rejected\s+10$/m);
    expect(stdout).toMatch(/^line 9999 \(SN-ok-thing\): thingName: /m);
    expect(stdout).toMatch(/^line 60000: field 1: quoted field is not closed/m);
    expect(stderr).toMatch(/enqueue .*100,000 rows sent/); // a plain progress line: stderr is not a terminal
    expect(stdout + stderr).not.toContain(TOKEN);

    // every accepted device is in Redis; none of the bad ones
    await waitFor('intake of every accepted device', async () => {
      const view = await app.services.site(site);
      return view !== null && Object.values(view.counts).reduce((a, b) => a + b, 0) === ROWS - 10;
    }, 60_000);
    expect(await app.services.device(`${site}-SN-3`)).toMatchObject({ siteId: site, thingName: `edge-${site}-3` });
  });

  it('counts devices already in flight as duplicates and exits 0', async () => {
    // devices of its own, so the answer does not depend on the test before
    const file = join(dir, 'again.csv');
    await writeFile(file, `deviceId,thingName\r\n${site}-dup-1,edge-${site}-dup-1\r\n${site}-dup-2,\r\n`);
    const first = await enqueue(file);
    expect(first.stdout).toMatch(/^accepted\s+2$/m);
    expect(first.code).toBe(0);
    await waitFor('intake of both devices', async () => (await app.services.device(`${site}-dup-1`)) !== null && (await app.services.device(`${site}-dup-2`)) !== null, 30_000);
    const { code, stdout } = await enqueue(file);
    expect(stdout).toMatch(/^duplicates\s+2$/m);
    expect(stdout).toMatch(/^accepted\s+0$/m);
    expect(code).toBe(0);
  });

  it('stops with one line when the token is wrong, without printing it', async () => {
    const file = join(dir, 'one.csv');
    await writeFile(file, `deviceId\n${site}-new-1\n`);
    const child = runCli(['enqueue', '--site', site, '--file', file, '--api', app.url ?? '', '--token', 'not-the-token-123']);
    expect(await child.exited).toBe(1);
    expect(child.stderr).toMatch(/stopped at line 2: .*\(pass --token or --token-file\)/);
    expect(child.stdout + child.stderr).not.toContain('not-the-token-123');
  });

  it('refuses a CSV without a deviceId column with one line and exit 2', async () => {
    const file = join(dir, 'nohead.csv');
    await writeFile(file, 'serial,thingName\nA,b\n');
    const { code, stderr } = await enqueue(file);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').at(-1)).toBe(`fleet-enroll enqueue: ${file}: unknown column "serial" (columns: deviceId, thingName, attr.<name>)`);
  });

  it('answers --file <directory> with one line and exit 2', async () => {
    const { code, stdout, stderr } = await enqueue(dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([`fleet-enroll enqueue: --file: ${dir} is a directory, not a CSV file`]);
  });

  it('sends an attr.__proto__ column as the attribute it is, never dropping it', async () => {
    const file = join(dir, 'proto.csv');
    await writeFile(file, `deviceId,attr.__proto__,attr.model\n${site}-proto-1,polluted,X1\n`);
    const { code, stdout } = await enqueue(file);
    expect(stdout).toMatch(/^accepted\s+1$/m);
    expect(code).toBe(0);
    await waitFor('the device recorded', async () => (await app.services.device(`${site}-proto-1`)) ?? undefined, 10_000);
    const redis = new Redis(config.redisUrl);
    try {
      const attrs = JSON.parse((await redis.hget(new Keys(config.keyPrefix).device(`${site}-proto-1`), 'attrs'))!) as Record<string, string>;
      expect(Object.getOwnPropertyDescriptor(attrs, '__proto__')?.value).toBe('polluted');
      expect(attrs.model).toBe('X1');
    } finally {
      await redis.quit();
    }
  });
});
