/**
 * The local AWS stand-in: SSM activations, managed-node registration, AWS IoT and its data plane
 * over the real wire protocols, with SigV4 checks and fault injection. Embeddable in-process
 * (`startEmulator`) and run standalone by `fleet-enroll emulator`.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseFaultConfig, type FaultConfig } from './fault-config.js';
import { FaultInjector } from './fault-injector.js';
import { OperationStats } from './operation-stats.js';
import { seededRandom } from '../domain/random-source.js';
import type { EmulatorState } from './emulator-state.js';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_CREDENTIALS,
  DEFAULT_NODE_QUOTA,
  DEFAULT_REGION,
  type EmulatorOptions,
} from './emulator-options.js';
import { RequestHandler } from './http/request-handler.js';
import { SigV4Verifier } from './http/sigv4-verifier.js';
import { IotDataService } from './iotdata/iot-data-service.js';
import { MqttGateway } from './mqtt/mqtt-gateway.js';
import { MqttPublishPath } from './mqtt/mqtt-publish-path.js';
import { EmbeddedBroker } from './iotdata/embedded-broker.js';
import { ExternalBroker } from './iotdata/external-broker.js';
import type { MqttSink } from './iotdata/mqtt-sink.js';
import { RetainedMessages } from './iotdata/retained-messages.js';
import { ThingRegistry } from './iot/thing-registry.js';
import { TopicRuleDestinations } from './iot/topic-rule-destinations.js';
import { makeSelfSignedCertificate } from './http/self-signed-certificate.js';
import { addForeignNodes, parseForeignNodesRequest } from './ssm/foreign-nodes.js';
import { ServiceSettings, type ActivationTier } from './ssm/service-settings.js';
import { ActivationRegistry } from './ssm/activation-registry.js';
import { ManagedNodeRegistry } from './ssm/managed-node-registry.js';
import { parseRegistrationRequest, registerManagedNode } from './ssm/registration.js';
import { SsmService } from './ssm/ssm-service.js';

export type { EmulatorOptions } from './emulator-options.js';
export { ACTIVATION_TIERS, ACTIVATION_TIER_SETTING, STANDARD_TIER_NODES, type ActivationTier } from './ssm/service-settings.js';
export { MAX_MESSAGE_EXPIRY_SECONDS } from './iotdata/iot-data-service.js';
export { DEFAULT_CREDENTIALS, DEFAULT_NODE_QUOTA } from './emulator-options.js';
export type { EmulatorState, LiveActivationSummary } from './emulator-state.js';
export type { FaultConfig, OperationFaults } from './fault-config.js';
export { FaultConfigError, parseFaultConfig } from './fault-config.js';
export { OPERATIONS, type OperationKey } from './operations.js';
export type { OperationCounts } from './operation-stats.js';
export { seededRandom, type RandomSource } from '../domain/random-source.js';
export type { Credentials } from './http/sigv4-verifier.js';

export interface RunningEmulator {
  /** http://host:port: the endpoint of SSM, IoT and the IoT data plane alike (its MQTT over WebSocket at ws://host:port/mqtt) */
  readonly url: string;
  readonly port: number;
  /** the MQTT broker Publish delivers to (embedded or the one given) */
  readonly mqttUrl: string;
  /** the variables that point an unmodified AWS SDK (or CLI) at this emulator */
  readonly env: Readonly<Record<string, string>>;
  /** TLS mode: the PEM file of the self-signed certificate (trust it with NODE_EXTRA_CA_CERTS or AWS_CA_BUNDLE) */
  readonly certFile: string | undefined;
  /** registers `count` managed nodes that fleet-enroll did not (they count against the Region's quota); their ids */
  addForeignNodes(count: number, region?: string): string[];
  /** what UpdateServiceSetting /ssm/managed-instance/activation-tier does */
  setTier(tier: ActivationTier, region?: string): void;
  /** counts and contents, as GET /emulator/state answers */
  readonly state: EmulatorState;
  /** every activation code issued so far (answers dropped included), as GET /emulator/issued-codes answers */
  issuedCodes(): readonly string[];
  /** replaces every fault (`{}` clears); validated like PUT /emulator/faults */
  setFaults(faults: FaultConfig): void;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const nodeQuota = options.nodeQuota;
  if (nodeQuota !== undefined && nodeQuota !== 'unlimited' && !(Number.isInteger(nodeQuota) && nodeQuota >= 0)) {
    throw new RangeError(`nodeQuota: must be a whole number ≥ 0 or 'unlimited', got ${String(nodeQuota)}`);
  }
  const tier = options.tier ?? 'standard';
  if (tier !== 'standard' && tier !== 'advanced') throw new RangeError(`tier: must be 'standard' or 'advanced', got ${String(tier)}`);
  const maxExpiry = options.maxMessageExpirySeconds;
  if (maxExpiry !== undefined && !(Number.isInteger(maxExpiry) && maxExpiry >= 1)) {
    throw new RangeError(`maxMessageExpirySeconds: must be a whole number ≥ 1, got ${String(maxExpiry)}`);
  }
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const certificate = options.tls ? await makeSelfSignedCertificate(options.tls === true ? undefined : options.tls.dir, host) : undefined;
  const faults = new FaultInjector(options.random ?? seededRandom(options.seed ?? Date.now()), now);
  faults.set(parseFaultConfig(options.faults ?? {}));

  const sink: MqttSink = options.mqttUrl !== undefined ? await ExternalBroker.connect(options.mqttUrl) : await EmbeddedBroker.start(options.mqttPort ?? 0, host);
  const stats = new OperationStats();
  const activations = new ActivationRegistry();
  const nodes = new ManagedNodeRegistry(activations.all);
  const retained = new RetainedMessages(now, (topic) => void sink.expireRetained(topic).catch(() => undefined));
  let address = '';
  let url = '';
  const things = new ThingRegistry(accountId, () => address);
  const iotData = new IotDataService(sink, retained, now, maxExpiry);
  const ssm = new SsmService(activations, nodes, now, (read) => faults.consistencyDelayMs(`ssm.${read}`));
  const settings = new ServiceSettings(accountId, tier, now, (r) => nodes.liveInRegion(r));
  // `--node-quota` overrides the tier in every Region
  const nodeLimit = (r: string): number | null => (nodeQuota === undefined ? settings.nodeLimit(r) : nodeQuota === 'unlimited' ? null : nodeQuota);
  const destinations = new TopicRuleDestinations(accountId, () => url, now, async (target, headers, body) => {
    const res = await fetch(target, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  });
  const foreignNodes = (body: unknown): string[] => addForeignNodes(parseForeignNodesRequest(body, region), activations, nodes, nodeLimit, now());

  const state = (): EmulatorState => {
    const at = now();
    const list = [...activations.liveActivations()].map((a) => ({
      activationId: a.id,
      region: a.region,
      defaultInstanceName: a.defaultInstanceName,
      registrationLimit: a.registrationLimit,
      registrationsCount: a.registrations,
      expired: at >= a.expiresAt,
    }));
    const liveByRegion: Record<string, number> = {};
    for (const a of activations.all) liveByRegion[a.region] ??= nodes.liveInRegion(a.region);
    return {
      operations: stats.snapshot(),
      authFailures: stats.authFailures,
      activations: { live: activations.liveCount, created: activations.all.length, list, maxLiveByName: activations.maxLiveByName() },
      nodes: { registered: nodes.count, live: nodes.liveTotal(), liveByRegion },
      nodeQuota: nodeQuota ?? (tier === 'advanced' ? 'unlimited' : DEFAULT_NODE_QUOTA),
      tiers: Object.fromEntries(Object.keys(liveByRegion).map((r) => [r, settings.tier(r)])),
      topicRuleDestinations: destinations.summary(),
      retainedMessages: retained.size,
      things: things.size,
      faults: faults.faults,
    };
  };

  const handler = new RequestHandler({
    verifier: new SigV4Verifier([credentials]),
    faults,
    stats,
    ssm,
    things,
    iotData,
    settings,
    destinations,
    register: (body) => registerManagedNode(parseRegistrationRequest(body), activations, nodes, nodeLimit, now()),
    addForeignNodes: foreignNodes,
    state,
    issuedCodes: () => activations.issuedCodes,
  });
  // presigned URLs expire on the emulator's clock (a test moves it past X-Amz-Expires); header-signed
  // requests keep the wall clock for their 15-minute skew, as the SDK signs with the real time
  const gateway = new MqttGateway(new SigV4Verifier([credentials], now), stats, new MqttPublishPath(faults, stats, iotData), now);
  const serverOptions = { keepAlive: true, keepAliveTimeout: 65_000 };
  const server: Server = certificate
    ? createHttpsServer({ ...serverOptions, cert: certificate.cert, key: certificate.key }, handler.handle)
    : createServer(serverOptions, handler.handle);
  // many SDK clients keep sockets open for long: no per-server timeout on idle keep-alive beyond the above
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  server.on('upgrade', gateway.handleUpgrade);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    retained.close();
    await gateway.close();
    await sink.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  url = `${certificate ? 'https' : 'http'}://${address}`;

  return {
    url,
    port,
    mqttUrl: sink.url,
    env: Object.freeze({
      AWS_ENDPOINT_URL_SSM: url,
      AWS_ENDPOINT_URL_IOT: url,
      AWS_ENDPOINT_URL_IOT_DATA_PLANE: url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      ...(certificate ? { AWS_CA_BUNDLE: certificate.certFile } : {}),
    }),
    certFile: certificate?.certFile,
    addForeignNodes: (count, at) => foreignNodes({ count, region: at ?? region }),
    setTier: (to, at) => settings.set(at ?? region, to),
    get state() {
      return state();
    },
    issuedCodes: () => activations.issuedCodes,
    setFaults: (config) => faults.set(parseFaultConfig(config)),
    close: async () => {
      retained.close();
      await gateway.close();
      await closeServer(server);
      await sink.close();
    },
  };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
