/**
 * DescribeInstanceInformation's filters: `Filters` ([{Key, Values}]) and the older
 * `InstanceInformationFilterList` ([{key, valueSet}]), all ANDed, values within one filter ORed.
 * ActivationIds and InstanceIds also narrow the candidates, so a filtered page never scans every node.
 */
import { AwsError, validationError } from '../aws-error.js';
import type { ActivationRegistry } from './activation-registry.js';
import { asObject, optionalArray, requiredString, stringList, type JsonObject } from './json-members.js';
import type { ManagedNodeRegistry } from './managed-node-registry.js';

interface Condition {
  readonly key: string;
  readonly values: ReadonlySet<string>;
}

/** The nodes a page walks through, by position. */
export interface Candidates {
  readonly length: number;
  at(position: number): number;
}

const LEGACY_KEYS = ['InstanceIds', 'AgentVersion', 'PingStatus', 'PlatformTypes', 'ActivationIds', 'IamRole', 'ResourceType', 'AssociationStatus'];

export class InstanceFilter {
  static readonly AGENT_VERSION = '3.3.1611.0';

  private constructor(private readonly conditions: readonly Condition[]) {}

  static fromRequest(input: JsonObject): InstanceFilter {
    const conditions: Condition[] = [];
    (optionalArray(input, 'Filters') ?? []).forEach((raw, i) => {
      const path = `filters.${i + 1}.member`;
      const filter = asObject(raw, path);
      const key = requiredString(filter, 'Key', `${path}.key`);
      const values = stringList(filter, 'Values', `${path}.values`) ?? [];
      if (values.length === 0 || values.length > 100) throw validationError(`${path}.values`, values, 'Member must have length between 1 and 100');
      conditions.push({ key: checkedKey(key, `${path}.key`), values: new Set(values) });
    });
    (optionalArray(input, 'InstanceInformationFilterList') ?? []).forEach((raw, i) => {
      const path = `instanceInformationFilterList.${i + 1}.member`;
      const filter = asObject(raw, path);
      const key = requiredString(filter, 'key', `${path}.key`);
      if (!LEGACY_KEYS.includes(key)) throw validationError(`${path}.key`, key, `Member must satisfy enum value set: [${LEGACY_KEYS.join(', ')}]`);
      const values = stringList(filter, 'valueSet', `${path}.valueSet`) ?? [];
      if (values.length === 0) throw validationError(`${path}.valueSet`, values, 'Member must have length greater than or equal to 1');
      conditions.push({ key: checkedKey(key, `${path}.key`), values: new Set(values) });
    });
    return new InstanceFilter(conditions);
  }

  candidates(activations: ActivationRegistry, nodes: ManagedNodeRegistry): Candidates {
    const byActivation = this.conditions.find((c) => c.key === 'ActivationIds');
    if (byActivation !== undefined) {
      const lists = [...byActivation.values].flatMap((id) => activations.findAny(id)?.nodes ?? []);
      return { length: lists.length, at: (p) => lists[p]! };
    }
    const byId = this.conditions.find((c) => c.key === 'InstanceIds');
    if (byId !== undefined) {
      const indexes = [...byId.values].flatMap((id) => nodes.find(id) ?? []);
      return { length: indexes.length, at: (p) => indexes[p]! };
    }
    return { length: nodes.count, at: (p) => p };
  }

  matches(index: number, nodes: ManagedNodeRegistry): boolean {
    for (const { key, values } of this.conditions) {
      if (!values.has(this.valueOf(key, index, nodes, values))) return false;
    }
    return true;
  }

  /** The node's value for a key, or for tag filters the matching value when the node has one. */
  private valueOf(key: string, index: number, nodes: ManagedNodeRegistry, wanted: ReadonlySet<string>): string {
    switch (key) {
      case 'ActivationIds':
        return nodes.activation(index).id;
      case 'InstanceIds':
        return nodes.idOf(index);
      case 'IamRole':
        return nodes.activation(index).iamRole;
      case 'PingStatus':
        return 'Online';
      case 'ResourceType':
        return 'ManagedInstance';
      case 'PlatformTypes':
        return 'Linux';
      case 'AgentVersion':
        return InstanceFilter.AGENT_VERSION;
      case 'AssociationStatus':
        return '';
      case 'tag-key':
        return nodes.tags(index).find((t) => wanted.has(t.Key))?.Key ?? '';
      default: {
        const tagKey = key.slice('tag:'.length);
        return nodes.tags(index).find((t) => t.Key === tagKey)?.Value ?? '\u0000absent';
      }
    }
  }
}

function checkedKey(key: string, path: string): string {
  if (LEGACY_KEYS.includes(key) || key === 'tag-key' || (key.startsWith('tag:') && key.length > 4)) return key;
  throw new AwsError('InvalidFilterKey', `The filter key '${key}' at '${path}' isn't valid. Valid keys: ${LEGACY_KEYS.join(', ')}, tag-key, tag:<key>.`);
}
