/**
 * The SSM operations the emulator answers (awsJson1_1 bodies in, bodies out). Everything is scoped
 * to the Region the request was signed for, as in AWS. Dates go out as epoch seconds.
 */
import { AwsError, validationError } from '../aws-error.js';
import type { Activation, ActivationRegistry } from './activation-registry.js';
import { parseCreateActivation } from './create-activation-rules.js';
import {
  asObject,
  checkLength,
  checkRange,
  optionalArray,
  optionalInteger,
  optionalString,
  requiredString,
  stringList,
  type JsonObject,
} from './json-members.js';
import type { ManagedNodeRegistry } from './managed-node-registry.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { parseTags } from './tags.js';
import { InstanceFilter } from './instance-filter.js';

export type SsmOperation =
  | 'CreateActivation'
  | 'DescribeActivations'
  | 'DeleteActivation'
  | 'DescribeInstanceInformation'
  | 'AddTagsToResource'
  | 'ListTagsForResource'
  | 'RemoveTagsFromResource'
  | 'DeregisterManagedInstance';

const ACTIVATION_FILTER_KEYS = ['ActivationIds', 'DefaultInstanceName', 'IamRole'] as const;
const RESOURCE_TYPES = ['Document', 'ManagedInstance', 'MaintenanceWindow', 'Parameter', 'PatchBaseline', 'OpsItem', 'OpsMetadata', 'Automation', 'Association'];
const seconds = (ms: number): number => ms / 1000;

export class SsmService {
  constructor(
    private readonly activations: ActivationRegistry,
    private readonly nodes: ManagedNodeRegistry,
    private readonly now: () => number,
    /** read-after-write delay of an eventually consistent read (ms), as set by the `consistencyDelayMs` fault */
    private readonly readDelayMs: (read: 'DescribeActivations' | 'DescribeInstanceInformation') => number = () => 0,
  ) {}

  handle(operation: SsmOperation, input: JsonObject, region: string): JsonObject {
    switch (operation) {
      case 'CreateActivation':
        return this.createActivation(input, region);
      case 'DescribeActivations':
        return this.describeActivations(input, region);
      case 'DeleteActivation':
        return this.deleteActivation(input, region);
      case 'DescribeInstanceInformation':
        return this.describeInstanceInformation(input, region);
      case 'AddTagsToResource':
        return this.addTags(input, region);
      case 'ListTagsForResource':
        return { TagList: this.nodes.tags(this.taggedNode(input, region)) };
      case 'RemoveTagsFromResource':
        return this.removeTags(input, region);
      case 'DeregisterManagedInstance':
        return this.deregister(input, region);
    }
  }

  private createActivation(input: JsonObject, region: string): JsonObject {
    const now = this.now();
    const { activation, code } = this.activations.create(parseCreateActivation(input, now), region, now);
    return { ActivationId: activation.id, ActivationCode: code };
  }

  private describeActivations(input: JsonObject, region: string): JsonObject {
    const maxResults = optionalInteger(input, 'MaxResults') ?? 50;
    checkRange(maxResults, 'maxResults', 1, 50);
    const filters = (optionalArray(input, 'Filters') ?? []).map((raw, i) => {
      const path = `filters.${i + 1}.member`;
      const filter = asObject(raw, path);
      const key = optionalString(filter, 'FilterKey', `${path}.filterKey`);
      if (key !== undefined && !(ACTIVATION_FILTER_KEYS as readonly string[]).includes(key)) {
        throw validationError(`${path}.filterKey`, key, `Member must satisfy enum value set: [${ACTIVATION_FILTER_KEYS.join(', ')}]`);
      }
      return { key, values: new Set(stringList(filter, 'FilterValues', `${path}.filterValues`) ?? []) };
    });
    const matches = (a: Activation): boolean =>
      filters.every(({ key, values }) => {
        if (key === undefined || values.size === 0) return true;
        const field = key === 'ActivationIds' ? a.id : key === 'DefaultInstanceName' ? a.defaultInstanceName : a.iamRole;
        return values.has(field);
      });

    const now = this.now();
    // eventually consistent: an activation shows up only once the read-after-write delay has passed
    const visibleFrom = now - this.readDelayMs('DescribeActivations');
    const shown = (a: Activation): boolean => !a.deleted && a.region === region && a.createdAt <= visibleFrom && matches(a);
    const list: JsonObject[] = [];
    let offset = decodePageToken(optionalString(input, 'NextToken'));
    const all = this.activations.all;
    for (; offset < all.length && list.length < maxResults; offset++) {
      const a = all[offset]!;
      if (!shown(a)) continue;
      list.push({
        ActivationId: a.id,
        Description: a.description,
        DefaultInstanceName: a.defaultInstanceName,
        IamRole: a.iamRole,
        RegistrationLimit: a.registrationLimit,
        RegistrationsCount: a.registrations,
        ExpirationDate: seconds(a.expiresAt),
        Expired: now >= a.expiresAt,
        CreatedDate: seconds(a.createdAt),
        Tags: a.tags,
      });
    }
    const more = all.slice(offset).some(shown);
    return more ? { ActivationList: list, NextToken: encodePageToken(offset) } : { ActivationList: list };
  }

  private deleteActivation(input: JsonObject, region: string): JsonObject {
    const id = requiredString(input, 'ActivationId');
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
      throw new AwsError('InvalidActivationId', `The activation ID '${id}' isn't valid. Verify that you entered the correct ActivationId.`);
    }
    const activation = this.activations.find(id, region);
    if (activation === undefined) {
      throw new AwsError('InvalidActivation', `The activation '${id}' isn't valid: it does not exist in ${region} or was already deleted.`);
    }
    this.activations.delete(activation);
    return {};
  }

  private describeInstanceInformation(input: JsonObject, region: string): JsonObject {
    const maxResults = optionalInteger(input, 'MaxResults') ?? 50;
    checkRange(maxResults, 'maxResults', 5, 50);
    const filter = InstanceFilter.fromRequest(input);
    const now = this.now();
    const visibleFrom = now - this.readDelayMs('DescribeInstanceInformation');
    const list: JsonObject[] = [];
    const candidates = filter.candidates(this.activations, this.nodes);
    let position = decodePageToken(optionalString(input, 'NextToken'));
    let more = false;
    for (; position < candidates.length; position++) {
      const index = candidates.at(position);
      if (!this.nodes.isLive(index) || this.nodes.activation(index).region !== region || !filter.matches(index, this.nodes)) continue;
      if (this.nodes.registeredAtMs(index) > visibleFrom) continue;
      if (list.length === maxResults) {
        more = true;
        break;
      }
      list.push(this.describeNode(index, now));
    }
    return more ? { InstanceInformationList: list, NextToken: encodePageToken(position) } : { InstanceInformationList: list };
  }

  private describeNode(index: number, now: number): JsonObject {
    const activation = this.nodes.activation(index);
    const id = this.nodes.idOf(index);
    return {
      InstanceId: id,
      PingStatus: 'Online',
      LastPingDateTime: seconds(now),
      AgentVersion: InstanceFilter.AGENT_VERSION,
      IsLatestVersion: true,
      PlatformType: 'Linux',
      PlatformName: 'Linux',
      PlatformVersion: '',
      ActivationId: activation.id,
      IamRole: activation.iamRole,
      RegistrationDate: seconds(this.nodes.registeredAtMs(index)),
      ResourceType: 'ManagedInstance',
      Name: activation.defaultInstanceName,
      ComputerName: this.nodes.hostname(index) ?? id,
      SourceId: id,
      SourceType: 'AWS::SSM::ManagedInstance',
    };
  }

  private taggedNode(input: JsonObject, region: string): number {
    const type = requiredString(input, 'ResourceType');
    if (!RESOURCE_TYPES.includes(type)) {
      throw validationError('resourceType', type, `Member must satisfy enum value set: [${RESOURCE_TYPES.join(', ')}]`);
    }
    if (type !== 'ManagedInstance') {
      throw new AwsError('InvalidResourceType', `The resource type '${type}' isn't valid here: the emulator keeps tags only for ManagedInstance.`);
    }
    const id = requiredString(input, 'ResourceId');
    const index = this.nodes.find(id, region);
    if (index === undefined) {
      throw new AwsError('InvalidResourceId', `The resource ID '${id}' isn't valid: no managed node with that id in ${region}.`);
    }
    return index;
  }

  private addTags(input: JsonObject, region: string): JsonObject {
    const index = this.taggedNode(input, region);
    const tags = parseTags(optionalArray(input, 'Tags') ?? [], 'tags', 1000);
    if (tags.length === 0) throw validationError('tags', undefined, 'Member must not be null');
    this.nodes.changeTags(index, new Map(tags.map((t) => [t.Key, t.Value])));
    return {};
  }

  private removeTags(input: JsonObject, region: string): JsonObject {
    const index = this.taggedNode(input, region);
    const keys = stringList(input, 'TagKeys');
    if (keys === undefined) throw validationError('tagKeys', undefined, 'Member must not be null');
    keys.forEach((key, i) => checkLength(key, `tagKeys.${i + 1}.member`, 1, 128));
    this.nodes.changeTags(index, new Map(keys.map((k) => [k, null])));
    return {};
  }

  private deregister(input: JsonObject, region: string): JsonObject {
    const id = requiredString(input, 'InstanceId');
    const index = this.nodes.find(id, region);
    if (index === undefined) {
      throw new AwsError('InvalidInstanceId', `The instance ID '${id}' isn't valid: no registered managed node with that id in ${region}.`);
    }
    this.nodes.deregister(index);
    return {};
  }
}
