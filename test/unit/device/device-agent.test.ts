import { describe, expect, it } from 'vitest';
import type { AgentLog } from '../../../src/device/agent-log.js';
import type { DeliveryJournal, HandledDelivery } from '../../../src/device/delivery-journal.js';
import { DeviceAgent } from '../../../src/device/device-agent.js';
import type { MessageHandler, MqttLink, PublishOptions } from '../../../src/device/mqtt-link.js';
import { RegistrationError, type Registrar } from '../../../src/device/registrar.js';
import { TopicTemplate } from '../../../src/domain/topics.js';
import { DEFAULT_TOPICS, type CredentialsMessage } from '../../../src/domain/messages.js';

const CODE = 'Activation-Code-0123456789';
const credentials: CredentialsMessage = {
  v: 1,
  deliveryId: 'b1.0.n1',
  deviceId: 'SN-1',
  siteId: 'plant-1',
  batchId: 'b1',
  activationId: '0123abcd-0123-4567-89ab-0123456789ab',
  activationCode: CODE,
  region: 'eu-central-1',
  expiresAt: '2030-01-01T00:00:00.000Z',
};
const CRED_TOPIC = 'fleet/enroll/plant-1/edge-1/activation';
const ACK_TOPIC = 'fleet/enroll/plant-1/edge-1/ack';

class RecordingLink implements MqttLink {
  readonly published: { topic: string; payload: string; options: PublishOptions }[] = [];
  readonly subscriptions: string[] = [];
  handler: MessageHandler | undefined;
  subscribe(filter: string): Promise<void> {
    this.subscriptions.push(filter);
    return Promise.resolve();
  }
  publish(topic: string, payload: string, options: PublishOptions): Promise<void> {
    this.published.push({ topic, payload, options });
    return Promise.resolve();
  }
  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  acks(): Record<string, unknown>[] {
    return this.published.map((p) => JSON.parse(p.payload) as Record<string, unknown>);
  }
}

class MemoryJournal implements DeliveryJournal {
  readonly entries: HandledDelivery[] = [];
  find(deliveryId: string): HandledDelivery | undefined {
    return this.entries.find((e) => e.deliveryId === deliveryId);
  }
  record(entry: HandledDelivery): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }
}

class ScriptedRegistrar implements Registrar {
  calls: CredentialsMessage[] = [];
  constructor(private readonly answer: () => Promise<string>) {}
  register(c: CredentialsMessage): Promise<string> {
    this.calls.push(c);
    return this.answer();
  }
}

class CapturedLog implements AgentLog {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(m);
  }
  warn(m: string): void {
    this.lines.push(m);
  }
  error(m: string): void {
    this.lines.push(m);
  }
}

function setup(answer: () => Promise<string>) {
  const link = new RecordingLink();
  const journal = new MemoryJournal();
  const registrar = new ScriptedRegistrar(answer);
  const log = new CapturedLog();
  const agent = new DeviceAgent({
    thingName: 'edge-1',
    siteId: 'plant-1',
    topics: { credentials: new TopicTemplate(DEFAULT_TOPICS.credentials), ack: new TopicTemplate(DEFAULT_TOPICS.ack) },
    link,
    registrar,
    journal,
    log,
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  return { agent, link, journal, registrar, log };
}

const message = (m: unknown = credentials) => Buffer.from(JSON.stringify(m));

describe('DeviceAgent', () => {
  it('subscribes to its own credentials topic', async () => {
    const { agent, link } = setup(() => Promise.resolve('mi-0123456789abcdef0'));
    await agent.start();
    expect(link.subscriptions).toEqual([CRED_TOPIC]);
    expect(agent.ackTopic).toBe(ACK_TOPIC);
  });

  it('registers, journals and acks registered with QoS 1', async () => {
    const { agent, link, journal, registrar } = setup(() => Promise.resolve('mi-0123456789abcdef0'));
    const outcome = await agent.handle(CRED_TOPIC, message());
    expect(outcome).toEqual({ kind: 'registered', deliveryId: 'b1.0.n1', managedNodeId: 'mi-0123456789abcdef0', redelivery: false });
    expect(registrar.calls).toHaveLength(1);
    expect(journal.entries).toEqual([
      { deliveryId: 'b1.0.n1', activationId: credentials.activationId, managedNodeId: 'mi-0123456789abcdef0', at: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(link.published[0]?.topic).toBe(ACK_TOPIC);
    expect(link.published[0]?.options.qos).toBe(1);
    expect(link.acks()).toEqual([
      { v: 1, deliveryId: 'b1.0.n1', activationId: credentials.activationId, status: 'registered', managedNodeId: 'mi-0123456789abcdef0' },
    ]);
  });

  it('acks with the whole delivery id but keeps its secret last part out of the log', async () => {
    const { agent, link, log } = setup(() => Promise.resolve('mi-0123456789abcdef0'));
    const signed = { ...credentials, deliveryId: 'b1.0.n1.Zm9yZ2VyeS1wcm9vZi10YWc' };
    await agent.handle(CRED_TOPIC, message(signed));
    expect(link.acks()[0]).toMatchObject({ deliveryId: signed.deliveryId });
    expect(log.lines.join('\n')).toContain('delivery b1.0.n1.…');
    expect(log.lines.join('\n')).not.toContain('Zm9yZ2VyeS1wcm9vZi10YWc');
  });

  it('does not register a redelivered message twice, even when both copies arrive at once, but acks both', async () => {
    let release!: (id: string) => void;
    const { agent, link, registrar } = setup(() => new Promise((resolve) => (release = resolve)));
    const first = agent.handle(CRED_TOPIC, message());
    const second = agent.handle(CRED_TOPIC, message());
    await new Promise((r) => setImmediate(r));
    release('mi-0123456789abcdef0');
    expect((await first).kind).toBe('registered');
    expect(await second).toMatchObject({ kind: 'registered', redelivery: true, managedNodeId: 'mi-0123456789abcdef0' });
    expect(registrar.calls).toHaveLength(1);
    expect(link.acks().map((a) => a.status)).toEqual(['registered', 'registered']);
  });

  it('registers again for a new delivery (a re-batched device)', async () => {
    const { agent, registrar } = setup(() => Promise.resolve('mi-0123456789abcdef0'));
    await agent.handle(CRED_TOPIC, message());
    await agent.handle(CRED_TOPIC, message({ ...credentials, deliveryId: 'b2.0.n2' }));
    expect(registrar.calls.map((c) => c.deliveryId)).toEqual(['b1.0.n1', 'b2.0.n2']);
  });

  it('ignores the empty retained message and other topics', async () => {
    const { agent, link, registrar } = setup(() => Promise.resolve('mi-0123456789abcdef0'));
    expect(await agent.handle(CRED_TOPIC, Buffer.alloc(0))).toEqual({ kind: 'ignored', reason: 'empty' });
    expect(await agent.handle('fleet/enroll/plant-1/other/activation', message())).toEqual({ kind: 'ignored', reason: 'other-topic' });
    expect(registrar.calls).toHaveLength(0);
    expect(link.published).toHaveLength(0);
  });

  it('acks failed with the redacted error and retries on the next delivery of the same message', async () => {
    let fail = true;
    const { agent, link, log, journal } = setup(() =>
      fail
        ? Promise.reject(new RegistrationError(`exited with status 1: code ${CODE} refused`, true))
        : Promise.resolve('mi-0123456789abcdef0'),
    );
    const outcome = await agent.handle(CRED_TOPIC, message());
    expect(outcome).toEqual({ kind: 'failed', deliveryId: 'b1.0.n1', error: 'exited with status 1: code [REDACTED] refused' });
    expect(link.acks()[0]).toEqual({
      v: 1,
      deliveryId: 'b1.0.n1',
      activationId: credentials.activationId,
      status: 'failed',
      error: 'exited with status 1: code [REDACTED] refused',
    });
    expect(journal.entries).toHaveLength(0);
    expect(JSON.stringify(link.published) + log.lines.join('\n')).not.toContain(CODE);
    fail = false;
    expect((await agent.handle(CRED_TOPIC, message())).kind).toBe('registered');
  });

  it('acks failed for an invalid message that names its delivery, without quoting the code', async () => {
    const { agent, link, registrar, log } = setup(() => Promise.resolve('mi-0123456789abcdef0'));
    const outcome = await agent.handle(CRED_TOPIC, message({ ...credentials, region: 'nowhere' }));
    expect(outcome.kind).toBe('failed');
    expect(link.acks()[0]).toMatchObject({ status: 'failed', deliveryId: 'b1.0.n1' });
    expect(String(link.acks()[0]?.error)).toContain('region');
    expect(registrar.calls).toHaveLength(0);
    expect(log.lines.join('\n')).not.toContain(CODE);
    expect(await agent.handle(CRED_TOPIC, Buffer.from('garbage'))).toEqual({ kind: 'ignored', reason: 'invalid' });
  });
});

describe('DeviceAgent when the broker is gone', () => {
  it('reports an ack that could not be published, and re-acks from the journal next time', async () => {
    const { agent, link, registrar } = setup(() => Promise.resolve('mi-0123456789abcdef0'));
    const publish = link.publish.bind(link);
    link.publish = () => Promise.reject(new Error('connection closed'));
    expect(await agent.handle(CRED_TOPIC, message())).toEqual({ kind: 'ack-unsent', error: 'connection closed' });
    link.publish = publish;
    expect(await agent.handle(CRED_TOPIC, message())).toMatchObject({ kind: 'registered', redelivery: true });
    expect(registrar.calls).toHaveLength(1);
    expect(link.acks()).toHaveLength(1);
  });
});
