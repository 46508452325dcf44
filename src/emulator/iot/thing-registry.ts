/**
 * AWS IoT control plane: DescribeEndpoint, CreateThing, DescribeThing (restJson1 bodies), with
 * AWS IoT's naming rules. Thing types are not emulated: any thingTypeName is accepted.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../aws-error.js';

interface Thing {
  readonly thingId: string;
  readonly thingTypeName: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
}

const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_.,@/:#=[\]-]{1,128}$/;
const ATTRIBUTE_VALUE = /^[a-zA-Z0-9_.,@/:#=[\]-]{0,800}$/;
const ENDPOINT_TYPES = ['iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'];

export class ThingRegistry {
  private readonly things = new Map<string, Thing>();

  constructor(
    private readonly accountId: string,
    /** host:port of the emulator, handed out as the data endpoint */
    private readonly endpointAddress: () => string,
  ) {}

  get size(): number {
    return this.things.size;
  }

  describeEndpoint(endpointType: string | null): Record<string, unknown> {
    if (endpointType !== null && !ENDPOINT_TYPES.includes(endpointType)) {
      throw new AwsError('InvalidRequestException', `endpointType: must be one of ${ENDPOINT_TYPES.join(', ')}, got '${endpointType}'`);
    }
    return { endpointAddress: this.endpointAddress() };
  }

  createThing(thingName: string, body: Record<string, unknown>, region: string): Record<string, unknown> {
    checkThingName(thingName);
    const thingTypeName = body['thingTypeName'];
    if (thingTypeName !== undefined && (typeof thingTypeName !== 'string' || !THING_NAME.test(thingTypeName))) {
      throw new AwsError('InvalidRequestException', `thingTypeName: must match ${THING_NAME.source}`);
    }
    const attributes = parseAttributes(body['attributePayload'], thingTypeName !== undefined);
    const existing = this.things.get(thingName);
    if (existing !== undefined) {
      // CreateThing is idempotent for an identical thing, refused for a different one
      if (existing.thingTypeName !== thingTypeName || JSON.stringify(existing.attributes) !== JSON.stringify(attributes)) {
        throw new AwsError('ResourceAlreadyExistsException', `Thing ${thingName} already exists with different attributes or type`, 409);
      }
      return this.summary(thingName, existing, region);
    }
    const thing: Thing = { thingId: randomUUID(), thingTypeName: thingTypeName as string | undefined, attributes };
    this.things.set(thingName, thing);
    return this.summary(thingName, thing, region);
  }

  describeThing(thingName: string, region: string): Record<string, unknown> {
    checkThingName(thingName);
    const thing = this.things.get(thingName);
    if (thing === undefined) throw new AwsError('ResourceNotFoundException', `Thing ${thingName} cannot be found.`, 404);
    return {
      defaultClientId: thingName,
      ...this.summary(thingName, thing, region),
      ...(thing.thingTypeName !== undefined ? { thingTypeName: thing.thingTypeName } : {}),
      attributes: thing.attributes,
      version: 1,
    };
  }

  private summary(thingName: string, thing: Thing, region: string): Record<string, unknown> {
    return { thingName, thingId: thing.thingId, thingArn: `arn:aws:iot:${region}:${this.accountId}:thing/${thingName}` };
  }
}

function checkThingName(name: string): void {
  if (!THING_NAME.test(name)) {
    throw new AwsError('InvalidRequestException', `thingName '${name.slice(0, 140)}': must be 1–128 characters of [a-zA-Z0-9:_-]`);
  }
}

function parseAttributes(payload: unknown, typed: boolean): Record<string, string> {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'object' || Array.isArray(payload)) throw new AwsError('InvalidRequestException', 'attributePayload: must be an object');
  const raw = (payload as Record<string, unknown>)['attributes'] ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AwsError('InvalidRequestException', 'attributePayload.attributes: must be an object');
  const entries = Object.entries(raw as Record<string, unknown>);
  // AWS IoT: 3 attributes on a thing without a type, 50 with one
  const limit = typed ? 50 : 3;
  if (entries.length > limit) {
    throw new AwsError('InvalidRequestException', `attributePayload.attributes: at most ${limit} attributes on a thing ${typed ? 'with' : 'without'} a thing type, got ${entries.length}`);
  }
  const attributes: Record<string, string> = {};
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!ATTRIBUTE_NAME.test(key)) throw new AwsError('InvalidRequestException', `attributePayload.attributes.${key}: name must match ${ATTRIBUTE_NAME.source}`);
    if (typeof value !== 'string' || !ATTRIBUTE_VALUE.test(value)) {
      throw new AwsError('InvalidRequestException', `attributePayload.attributes.${key}: value must be a string matching ${ATTRIBUTE_VALUE.source}`);
    }
    attributes[key] = value;
  }
  return attributes;
}
