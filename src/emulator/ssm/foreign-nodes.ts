/**
 * Managed nodes that someone other than fleet-enroll registered (another team, the console, an older
 * tool): seeded for tests through `POST /emulator/foreign-nodes` or `RunningEmulator.addForeignNodes`.
 * They come from an activation of their own, deleted right after (its nodes stay, as in AWS), so they
 * count against the Region's quota and show in DescribeInstanceInformation like any other node.
 */
import { AwsError } from '../aws-error.js';
import type { ActivationRegistry } from './activation-registry.js';
import type { ManagedNodeRegistry } from './managed-node-registry.js';
import { checkNodeRoom } from './registration.js';

export const FOREIGN_NODE_NAME = 'registered-outside-fleet-enroll';
const MAX_PER_CALL = 100_000;

export interface ForeignNodesRequest {
  readonly region: string;
  readonly count: number;
}

export function parseForeignNodesRequest(body: unknown, defaultRegion: string): ForeignNodesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AwsError('ValidationException', 'body: must be a JSON object {"count","region"?}');
  }
  const { count, region } = body as Record<string, unknown>;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PER_CALL) {
    throw new AwsError('ValidationException', `count: must be a whole number from 1 to ${MAX_PER_CALL}`);
  }
  if (region !== undefined && (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region))) {
    throw new AwsError('ValidationException', 'region: must be a Region name like us-east-1');
  }
  return { region: (region as string | undefined) ?? defaultRegion, count };
}

/** Registers the nodes (all or none: the Region's limit is checked first); returns their ids. */
export function addForeignNodes(
  { region, count }: ForeignNodesRequest,
  activations: ActivationRegistry,
  nodes: ManagedNodeRegistry,
  nodeLimit: (region: string) => number | null,
  now: number,
): string[] {
  checkNodeRoom(region, count, nodes, nodeLimit);
  const { activation } = activations.create(
    {
      iamRole: 'ForeignNodeRole',
      registrationLimit: count,
      expiresAt: now + 60 * 60 * 1000,
      defaultInstanceName: FOREIGN_NODE_NAME,
      description: 'managed nodes seeded by the emulator: not fleet-enroll’s',
      tags: [],
    },
    region,
    now,
  );
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    activation.registrations++;
    ids.push(nodes.idOf(nodes.register(activation, now, `foreign-${i + 1}`)));
  }
  activations.delete(activation);
  return ids;
}
