/**
 * Routes every request of the emulator's one HTTP server: SSM by `X-Amz-Target`, IoT control
 * and data plane by path, `/emulator/*` for registration and admin. AWS routes are SigV4-checked,
 * then pass through fault injection (counted per operation) before the work is done.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, internalServerError, throttlingError } from '../aws-error.js';
import { FaultConfigError, parseFaultConfig } from '../fault-config.js';
import type { FaultInjector } from '../fault-injector.js';
import type { OperationStats } from '../operation-stats.js';
import type { OperationKey } from '../operations.js';
import type { EmulatorState } from '../emulator-state.js';
import type { IotDataService } from '../iotdata/iot-data-service.js';
import type { ThingRegistry } from '../iot/thing-registry.js';
import type { TopicRuleDestinations } from '../iot/topic-rule-destinations.js';
import { SERVICE_SETTING_OPERATIONS, type ServiceSettingOperation, type ServiceSettings } from '../ssm/service-settings.js';
import type { SsmOperation, SsmService } from '../ssm/ssm-service.js';
import { asObject } from '../ssm/json-members.js';
import { writeError, writeJson, type Protocol } from './responses.js';
import type { SignatureScope, SigV4Verifier } from './sigv4-verifier.js';

export interface EmulatorParts {
  readonly verifier: SigV4Verifier;
  readonly faults: FaultInjector;
  readonly stats: OperationStats;
  readonly ssm: SsmService;
  readonly things: ThingRegistry;
  readonly iotData: IotDataService;
  readonly settings: ServiceSettings;
  readonly destinations: TopicRuleDestinations;
  /** POST /emulator/register: returns the new managed node id */
  register(body: unknown): string;
  /** POST /emulator/foreign-nodes: registers nodes fleet-enroll did not, returns their ids */
  addForeignNodes(body: unknown): string[];
  state(): EmulatorState;
  /** every activation code issued, for tests' secret searches (never part of the state answer) */
  issuedCodes(): readonly string[];
}

interface AwsRoute {
  readonly operation: OperationKey;
  readonly protocol: 'awsJson' | 'restJson';
  /** the SigV4 service name the request must be signed for */
  readonly service: string;
  run(scope: SignatureScope): Promise<unknown> | unknown;
}

const MAX_BODY_BYTES = 1024 * 1024;
const SSM_OPERATIONS = new Set<string>([
  'CreateActivation', 'DescribeActivations', 'DeleteActivation', 'DescribeInstanceInformation',
  'AddTagsToResource', 'ListTagsForResource', 'RemoveTagsFromResource', 'DeregisterManagedInstance',
]);

export class RequestHandler {
  constructor(private readonly parts: EmulatorParts) {}

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req).then(
      (body) => this.dispatch(req, res, body),
      (error: unknown) => {
        const tooLarge = error instanceof AwsError ? error : new AwsError('SerializationException', 'could not read the request body');
        writeError(res, 'restJson', tooLarge);
      },
    ).catch((error: unknown) => {
      // a bug in a handler: answer like AWS would rather than leave the client hanging
      if (!res.headersSent) writeError(res, 'awsJson', new AwsError('InternalServerError', `emulator error: ${String(error)}`, 500));
    });
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path.startsWith('/emulator/')) return this.emulatorRoute(req, res, path, body);

    let route: AwsRoute;
    try {
      route = this.awsRoute(req, path, url.slice(q === -1 ? url.length : q + 1), body);
    } catch (error) {
      return writeError(res, req.headers['x-amz-target'] !== undefined ? 'awsJson' : 'restJson', asAwsError(error));
    }
    let scope: SignatureScope;
    try {
      scope = this.parts.verifier.verify({ method: req.method ?? 'GET', url, headers: req.headers, body });
      if (scope.service !== route.service) {
        throw new AwsError('InvalidSignatureException', `Credential should be scoped to correct service: '${route.service}'.`, 403);
      }
    } catch (error) {
      this.parts.stats.authFailures++;
      return writeError(res, route.protocol, asAwsError(error));
    }
    await this.withFaults(route.operation, route.protocol, req, res, () => route.run(scope));
  }

  /** Counts the call, applies the operation's faults, does the work, answers (or drops the answer). */
  private async withFaults(operation: OperationKey, protocol: Protocol, req: IncomingMessage, res: ServerResponse, work: () => unknown): Promise<void> {
    const counts = this.parts.stats.of(operation);
    counts.calls++;
    const decision = this.parts.faults.decide(operation);
    if (decision.kind === 'throttle') {
      counts.throttled++;
      return writeError(res, protocol, throttlingFor(protocol));
    }
    if (decision.kind === 'error') {
      counts.failed++;
      return writeError(res, protocol, protocol === 'restJson' ? new AwsError('InternalFailureException', 'An internal failure occurred. Try again later.', 500) : internalServerError());
    }
    if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    let result: unknown;
    try {
      result = await work();
    } catch (error) {
      counts.rejected++;
      return writeError(res, protocol, asAwsError(error));
    }
    if (decision.dropAnswer) {
      // the work is done; the client never hears of it (a lost answer, as after a network failure)
      counts.dropped++;
      req.socket.destroy();
      return;
    }
    writeJson(res, protocol, 200, result ?? {});
  }

  private awsRoute(req: IncomingMessage, path: string, rawQuery: string, body: Buffer): AwsRoute {
    const method = req.method ?? 'GET';
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const name = target.startsWith('AmazonSSM.') ? target.slice('AmazonSSM.'.length) : '';
      if (method === 'POST' && path === '/' && (SERVICE_SETTING_OPERATIONS as readonly string[]).includes(name)) {
        return {
          operation: `ssm.${name}` as OperationKey,
          protocol: 'awsJson',
          service: 'ssm',
          run: (scope) => this.parts.settings.handle(name as ServiceSettingOperation, asObject(parseJson(body), 'body'), scope.region),
        };
      }
      if (method !== 'POST' || path !== '/' || !SSM_OPERATIONS.has(name)) {
        throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
      }
      return {
        operation: `ssm.${name}` as OperationKey,
        protocol: 'awsJson',
        service: 'ssm',
        run: (scope) => this.parts.ssm.handle(name as SsmOperation, asObject(parseJson(body), 'body'), scope.region),
      };
    }
    const query = new URLSearchParams(rawQuery);
    const destinationRoute = this.destinationRoute(method, path, body);
    if (destinationRoute !== undefined) return destinationRoute;
    const [, first, second, ...rest] = path.split('/');
    const label = second !== undefined && rest.length === 0 ? decodeLabel(second) : undefined;
    if (first === 'topics' && label !== undefined && method === 'POST') {
      return { operation: 'iotdata.Publish', protocol: 'restJson', service: 'iotdata', run: () => this.parts.iotData.publish({ topic: label, query, payload: body }) };
    }
    if (first === 'retainedMessage' && label !== undefined && method === 'GET') {
      return { operation: 'iotdata.GetRetainedMessage', protocol: 'restJson', service: 'iotdata', run: () => this.parts.iotData.getRetained(label) };
    }
    if (first === 'endpoint' && second === undefined && method === 'GET') {
      return { operation: 'iot.DescribeEndpoint', protocol: 'restJson', service: 'iot', run: () => this.parts.things.describeEndpoint(query.get('endpointType')) };
    }
    if (first === 'things' && label !== undefined && method === 'POST') {
      return {
        operation: 'iot.CreateThing',
        protocol: 'restJson',
        service: 'iot',
        run: (scope) => this.parts.things.createThing(label, body.length === 0 ? {} : asObject(parseJson(body), 'body'), scope.region),
      };
    }
    if (first === 'things' && label !== undefined && method === 'GET') {
      return { operation: 'iot.DescribeThing', protocol: 'restJson', service: 'iot', run: (scope) => this.parts.things.describeThing(label, scope.region) };
    }
    throw new AwsError('UnknownOperationException', `No operation at ${method} ${path}`, 404);
  }

  /** Topic rule destinations: the ARN and the token are greedy labels (they may hold slashes). */
  private destinationRoute(method: string, path: string, body: Buffer): AwsRoute | undefined {
    if (method === 'POST' && path === '/destinations') {
      return {
        operation: 'iot.CreateTopicRuleDestination',
        protocol: 'restJson',
        service: 'iot',
        run: (scope) => this.parts.destinations.create(asObject(parseJson(body), 'body'), scope.region),
      };
    }
    const greedy = (prefix: string): string | undefined => (path.startsWith(prefix) && path.length > prefix.length ? decodeLabel(path.slice(prefix.length)) : undefined);
    const token = method === 'GET' ? greedy('/confirmdestination/') : undefined;
    if (token !== undefined) {
      return { operation: 'iot.ConfirmTopicRuleDestination', protocol: 'restJson', service: 'iot', run: () => this.parts.destinations.confirm(token) };
    }
    const arn = method === 'GET' ? greedy('/destinations/') : undefined;
    if (arn !== undefined) {
      return { operation: 'iot.GetTopicRuleDestination', protocol: 'restJson', service: 'iot', run: () => this.parts.destinations.get(arn) };
    }
    return undefined;
  }

  private async emulatorRoute(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    try {
      if (path === '/emulator/register' && method === 'POST') {
        const parsed = parseJson(body);
        return await this.withFaults('ssm.RegisterManagedInstance', 'emulator', req, res, () => ({ managedNodeId: this.parts.register(parsed) }));
      }
      if (path === '/emulator/foreign-nodes' && method === 'POST') {
        return writeJson(res, 'emulator', 200, { managedNodeIds: this.parts.addForeignNodes(parseJson(body)) });
      }
      if (path === '/emulator/state' && method === 'GET') return writeJson(res, 'emulator', 200, this.parts.state());
      if (path === '/emulator/issued-codes' && method === 'GET') return writeJson(res, 'emulator', 200, { codes: this.parts.issuedCodes() });
      if (path === '/emulator/faults' && method === 'GET') return writeJson(res, 'emulator', 200, this.parts.faults.faults);
      if (path === '/emulator/faults' && method === 'PUT') {
        const config = parseFaultConfig(parseJson(body));
        this.parts.faults.set(config);
        return writeJson(res, 'emulator', 200, config);
      }
      throw new AwsError('NotFound', `No emulator route ${method} ${path} (routes: POST /emulator/register, POST /emulator/foreign-nodes, GET /emulator/state, GET /emulator/issued-codes, GET|PUT /emulator/faults)`, 404);
    } catch (error) {
      writeError(res, 'emulator', error instanceof FaultConfigError ? new AwsError('ValidationException', error.message) : asAwsError(error));
    }
  }
}

function throttlingFor(protocol: Protocol): AwsError {
  // AWS IoT answers throttling with 429; SSM (awsJson) with 400
  return protocol === 'restJson' ? new AwsError('ThrottlingException', 'Rate exceeded', 429) : throttlingError();
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  return new AwsError('InternalServerError', `emulator error: ${error instanceof Error ? error.message : String(error)}`, 500);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON');
  }
}

function decodeLabel(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The whole body; past the limit the rest is read and dropped so the 413 still reaches the client. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new AwsError('RequestEntityTooLargeException', `The request body is larger than ${MAX_BODY_BYTES} bytes.`, 413));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
