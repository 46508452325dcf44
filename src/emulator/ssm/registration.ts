/**
 * What `amazon-ssm-agent -register -id … -code …` gets from AWS: a managed node for a valid,
 * unexpired activation with registrations left, within the Region's managed-node quota.
 * Each refusal says which of these failed (never echoing the code).
 */
import { AwsError } from '../aws-error.js';
import type { ActivationRegistry } from './activation-registry.js';
import type { ManagedNodeRegistry } from './managed-node-registry.js';
import { ACTIVATION_TIER_SETTING } from './service-settings.js';

export interface RegistrationRequest {
  readonly activationId: string;
  readonly activationCode: string;
  readonly hostname?: string | undefined;
}

const ACTIVATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseRegistrationRequest(body: unknown): RegistrationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AwsError('ValidationException', 'body: must be a JSON object {"activationId","activationCode","hostname"?}');
  }
  const { activationId, activationCode, hostname } = body as Record<string, unknown>;
  if (typeof activationId !== 'string') throw new AwsError('ValidationException', 'activationId: required string');
  if (typeof activationCode !== 'string') throw new AwsError('ValidationException', 'activationCode: required string');
  if (hostname !== undefined && (typeof hostname !== 'string' || hostname.length === 0 || hostname.length > 255)) {
    throw new AwsError('ValidationException', 'hostname: must be a string of 1–255 characters');
  }
  return { activationId, activationCode, hostname };
}

export function registerManagedNode(
  request: RegistrationRequest,
  activations: ActivationRegistry,
  nodes: ManagedNodeRegistry,
  /** managed nodes a Region takes (its tier, or `--node-quota`); null = no limit */
  nodeLimit: (region: string) => number | null,
  now: number,
): string {
  const { activationId } = request;
  if (!ACTIVATION_ID.test(activationId)) {
    throw new AwsError('InvalidActivationId', `activationId '${activationId}' is not an activation id (expected a lowercase UUID)`);
  }
  const activation = activations.find(activationId);
  if (activation === undefined) throw new AwsError('InvalidActivation', `Activation ${activationId} does not exist (never created, or deleted)`);
  if (!activations.codeMatches(activation, request.activationCode)) {
    throw new AwsError('InvalidActivationCode', `activationCode does not match activation ${activationId}`);
  }
  if (now >= activation.expiresAt) {
    throw new AwsError('ActivationExpired', `Activation ${activationId} expired at ${new Date(activation.expiresAt).toISOString()}`);
  }
  if (activation.registrations >= activation.registrationLimit) {
    throw new AwsError('RegistrationLimitExceeded', `Activation ${activationId} has reached its registration limit of ${activation.registrationLimit}`);
  }
  checkNodeRoom(activation.region, 1, nodes, nodeLimit);
  activation.registrations++;
  return nodes.idOf(nodes.register(activation, now, request.hostname));
}

/** Refuses `count` more nodes in a Region at its limit: the standard tier's 1,000 counts every node, whoever registered it. */
export function checkNodeRoom(region: string, count: number, nodes: ManagedNodeRegistry, nodeLimit: (region: string) => number | null): void {
  const limit = nodeLimit(region);
  if (limit !== null && nodes.liveInRegion(region) + count > limit) {
    throw new AwsError(
      'ManagedNodeQuotaExceeded',
      `The managed-node quota of ${limit} in Region ${region} is reached (${nodes.liveInRegion(region)} registered); deregister nodes or change ${ACTIVATION_TIER_SETTING} to advanced`,
    );
  }
}
