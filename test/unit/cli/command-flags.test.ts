import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../../support/cli-run.js';
import { readPems } from '../../../src/cli/commands/agent.js';

const run = (...argv: string[]): Promise<CliRun> => runCli(argv);

const agent = ['agent', '--thing', 'edge-1', '--site', 'plant-1'];

describe('agent flags (checked before any connection)', () => {
  it.each([
    [['agent', '--site', 's', '--mqtt-url', 'mqtt://h'], '--thing is required'],
    [[...agent], '--mqtt-url or --endpoint is required'],
    [[...agent, '--mqtt-url', 'mqtt://h', '--endpoint', 'x.iot.amazonaws.com'], '--mqtt-url and --endpoint exclude each other'],
    [[...agent, '--endpoint', 'x.iot.amazonaws.com'], '--endpoint needs --cert and --key (AWS IoT uses mutual TLS)'],
    [[...agent, '--mqtt-url', 'mqtt://h', '--cert', 'c.pem'], '--cert and --key go together'],
    [[...agent, '--mqtt-url', 'http://h'], '--mqtt-url: must be mqtt://, mqtts://, ws:// or wss:// with a host'],
    [[...agent, '--mqtt-url', 'mqtt://h', '--region', 'Mars'], '--region: must be an AWS Region name such as eu-central-1'],
    [[...agent, '--mqtt-url', 'mqtt://h', '--register-timeout', '0'], '--register-timeout: must be a positive number of seconds'],
    [[...agent, '--mqtt-url', 'mqtt://h', '--register-command', 'x -c {cod}'], '--register-command: unknown placeholder {cod}'],
    [[...agent, '--mqtt-url', 'mqtt://h', '--topic-ack', 'fleet/{siteId}/ack'], '--topic-ack: must contain {thingName} exactly once'],
    [['agent', '--thing', 'edge-1', '--site', 'a/b', '--mqtt-url', 'mqtt://h'], 'siteId: must be non-empty and contain none of + # / NUL'],
    [[...agent, '--mqtt-url', 'mqtt://h', '--cert', '/nonexistent/c.pem', '--key', '/nonexistent/k.pem'], '--cert: cannot read /nonexistent/c.pem (ENOENT)'],
  ])('%j → %s', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toContain(`fleet-enroll agent: ${message}`);
  });
});

describe('enqueue flags', () => {
  it.each([
    [['enqueue', '--file', 'x.csv'], '--site is required'],
    [['enqueue', '--site', 's'], '--file is required (- for standard input)'],
    [['enqueue', '--site', 's', '--file', 'x.csv', '--batch', '10001'], '--batch: must be a whole number 1-10000'],
    [['enqueue', '--site', 's', '--file', 'x.csv', '--api', 'ftp://h'], '--api: must be an http(s) URL'],
    [['enqueue', '--site', 's', '--file', 'x.csv', '--bogus'], "Unknown option '--bogus'"],
  ])('%j → %s', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

describe('agent PEM files: the first bad flag is reported whichever read fails first', () => {
  it('reports --cert when the --key read fails sooner', async () => {
    const read = (flag: string): Promise<Buffer | undefined> =>
      new Promise((_, reject) => setTimeout(() => reject(new Error(`--${flag} failed`)), flag === 'cert' ? 30 : 0));
    await expect(readPems([['cert', 'c.pem'], ['key', 'k.pem'], ['ca', undefined]], read)).rejects.toThrow('--cert failed');
  });

  it('returns the files in flag order when all reads succeed', async () => {
    const read = async (flag: string, path: string | undefined): Promise<Buffer | undefined> =>
      path === undefined ? undefined : Buffer.from(flag);
    const files = await readPems([['cert', 'c'], ['key', 'k'], ['ca', undefined]], read);
    expect(files.map((f) => f?.toString())).toEqual(['cert', 'key', undefined]);
  });
});
