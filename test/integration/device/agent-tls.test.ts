/**
 * `fleet-enroll agent` over MQTT with mutual TLS, as with AWS IoT Core: a broker (aedes behind node:tls)
 * that demands a client certificate signed by its CA. The agent connects with --cert/--key/--ca under its
 * thing name as client id, takes its retained credentials, registers (no-network stand-in command) and acks.
 */
import '../../../src/node-warnings.js';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, uniqueId, waitFor } from './helpers.js';

const thing = uniqueId('edge-tls');
const site = 'plant-tls';
let dir: string;
let broker: Aedes;
let server: Server;
let port: number;
const connected: { id: string; certCn: unknown }[] = [];
const published: { topic: string; payload: string }[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A throwaway CA, a server certificate for localhost and a client certificate for the thing. */
async function makeCertificates(): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=fleet-test-ca');
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
  openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', `/CN=${thing}`);
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '1');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-agent-tls-'));
  await makeCertificates();
  broker = await Aedes.createBroker();
  broker.on('client', (client) => {
    const socket = (client as unknown as { conn: TLSSocket }).conn;
    connected.push({ id: client.id, certCn: socket.getPeerCertificate().subject?.CN });
  });
  broker.on('publish', (packet, client) => {
    if (client) published.push({ topic: packet.topic, payload: packet.payload.toString() });
  });
  const pem = (name: string) => readFile(join(dir, name));
  server = createServer(
    { key: await pem('server.key'), cert: await pem('server.pem'), ca: await pem('ca.pem'), requestCert: true, rejectUnauthorized: true },
    (socket) => broker.handle(socket),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('fleet-enroll agent over mutual TLS', () => {
  it('connects with its client certificate and thing name, registers and acks', async () => {
    const code = 'Tls-Activation-Code-0123456789';
    const activationId = '0123abcd-0123-4567-89ab-0123456789ab';
    const message = {
      v: 1, deliveryId: 'tls-1', deviceId: 'SN-TLS', siteId: site, batchId: 'b', activationId,
      activationCode: code, region: 'eu-central-1', expiresAt: new Date(Date.now() + 60_000).toISOString(),
    };
    await new Promise<void>((resolve, reject) =>
      broker.publish(
        { cmd: 'publish', topic: `fleet/enroll/${site}/${thing}/activation`, payload: Buffer.from(JSON.stringify(message)), qos: 1, retain: true, dup: false },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    const registrationFile = join(dir, 'registration');
    const agent = runCli([
      'agent', '--thing', thing, '--site', site,
      '--mqtt-url', `mqtts://localhost:${port}`,
      '--cert', join(dir, 'client.pem'), '--key', join(dir, 'client.key'), '--ca', join(dir, 'ca.pem'),
      '--register-command', `"${process.execPath}" "${join(REPO, 'test/fixtures/local-register.mjs')}" ok "${registrationFile}" {code} {id}`,
      '--registration-file', registrationFile,
      '--once',
    ]);
    expect(await agent.exited).toBe(0);
    expect(agent.stdout.trim()).toBe('mi-0123456789abcdef0');
    expect(connected).toEqual([{ id: thing, certCn: thing }]);
    const ack = await waitFor('the ack', () => published.find((p) => p.topic === `fleet/enroll/${site}/${thing}/ack`));
    expect(JSON.parse(ack.payload)).toEqual({ v: 1, deliveryId: 'tls-1', activationId, status: 'registered', managedNodeId: 'mi-0123456789abcdef0' });
    expect(agent.stderr).not.toContain(code);
    // the default state file sits next to the registration file
    expect(JSON.parse(await readFile(join(dir, 'fleet-enroll-agent.json'), 'utf8'))).toMatchObject({ handled: [{ deliveryId: 'tls-1' }] });
  });
});
