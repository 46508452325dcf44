import { describe, expect, it } from 'vitest';
import { ActivationRegistry } from '../../../src/emulator/ssm/activation-registry.js';
import { ManagedNodeRegistry } from '../../../src/emulator/ssm/managed-node-registry.js';

function setup() {
  const activations = new ActivationRegistry();
  const nodes = new ManagedNodeRegistry(activations.all);
  const request = { iamRole: 'R', registrationLimit: 10, expiresAt: 1e13, defaultInstanceName: 'fleet-b', description: '', tags: [{ Key: 'fleet:site', Value: 's1' }, { Key: 'Owner', Value: 'factory' }] };
  const { activation } = activations.create(request, 'us-east-1', 0);
  return { activations, nodes, activation };
}

describe('managed-node registry', () => {
  it('gives a node its activation tags, then applies additions, changes and removals per node', () => {
    const { nodes, activation } = setup();
    const a = nodes.register(activation, 1, 'host-a');
    const b = nodes.register(activation, 2, undefined);
    nodes.changeTags(a, new Map([['fleet:device', 'SN-1'], ['Owner', 'ops'], ['fleet:site', null]]));
    expect(nodes.tags(a)).toEqual([{ Key: 'Owner', Value: 'ops' }, { Key: 'fleet:device', Value: 'SN-1' }]);
    expect(nodes.tags(b)).toEqual([{ Key: 'fleet:site', Value: 's1' }, { Key: 'Owner', Value: 'factory' }]);
    nodes.changeTags(a, new Map([['fleet:site', 's1'], ['Owner', 'factory'], ['fleet:device', null]]));
    expect(nodes.tags(a)).toEqual(nodes.tags(b));
    expect(nodes.hostname(a)).toBe('host-a');
    expect(activation.nodes).toEqual([a, b]);
  });

  it('finds nodes by id until deregistered, and counts live nodes per Region', () => {
    const { nodes, activation } = setup();
    const ids = Array.from({ length: 3000 }, (_, i) => nodes.idOf(nodes.register(activation, i, undefined)));
    expect(nodes.find(ids[2999]!)).toBe(2999);
    expect(nodes.find(ids[5]!, 'eu-west-1')).toBeUndefined();
    nodes.deregister(5);
    expect(nodes.find(ids[5]!)).toBeUndefined();
    expect(nodes.liveInRegion('us-east-1')).toBe(2999);
    expect(nodes.registeredAtMs(2500)).toBe(2500);
  });
});
