/**
 * The policies in deploy/aws against the code: every AWS SDK command the orchestrator sends (found by
 * scanning src/ for `new XxxCommand(` of an @aws-sdk client) must be allowed by the orchestrator policy,
 * and the device IoT policy, rendered for two things, must let each reach its own topics only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISH_CLIENT_ID_PREFIX } from '../../../src/adapters/mqtt-iot-publisher.js';

const repo = resolve(import.meta.dirname, '../../..');
const REGION = 'eu-central-1';
const ACCOUNT = '111122223333';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
}

function render(file: string, values: Record<string, string> = {}): { Statement: Statement[] } {
  let text = readFileSync(resolve(repo, 'deploy/aws', file), 'utf8');
  for (const [name, value] of Object.entries({ REGION, ACCOUNT_ID: ACCOUNT, SITE_ROLE: 'SSMServiceRole', ...values })) text = text.replaceAll(`{{${name}}}`, value);
  expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
  return JSON.parse(text) as { Statement: Statement[] };
}

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
/** IAM / AWS IoT policy wildcards: `*` any run of characters (slashes too), `?` one character. */
const glob = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** Allowed when an Allow statement matches action and resource and no Deny does. */
function allows(policy: { Statement: Statement[] }, action: string, resource: string): boolean {
  const matching = policy.Statement.filter((s) => list(s.Action).some((a) => glob(a).test(action)) && list(s.Resource).some((r) => glob(r).test(resource)));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return relative(repo, path) === 'src/emulator' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const SERVICE_PREFIX: Record<string, string> = { ssm: 'ssm', iot: 'iot', 'iot-data-plane': 'iot' };

/** `service:Operation` of every SDK command constructed in the orchestrator's code (the emulator excluded). */
function commandsSent(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(resolve(repo, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const imported = new Map<string, string>();
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z-]+)'/g)) {
      const prefix = SERVICE_PREFIX[m[2]!];
      if (prefix === undefined) throw new Error(`${relative(repo, file)}: an AWS client this test does not know (@aws-sdk/client-${m[2]}); add its IAM prefix`);
      for (const name of m[1]!.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim())) if (name.endsWith('Command')) imported.set(name, prefix);
    }
    for (const m of text.matchAll(/new\s+([A-Z][A-Za-z]+)Command\(/g)) {
      const prefix = imported.get(`${m[1]}Command`);
      if (prefix === undefined) continue;
      const key = `${prefix}:${m[1]}`;
      found.set(key, [...(found.get(key) ?? []), relative(repo, file)]);
    }
  }
  return found;
}

/** What a call needs as resource in the policy (the ARN it touches), when it is not `*`. */
const RESOURCE_OF: Record<string, string> = {
  'ssm:AddTagsToResource': `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`,
  'ssm:GetServiceSetting': `arn:aws:ssm:${REGION}:${ACCOUNT}:servicesetting/ssm/managed-instance/activation-tier`,
  'iot:Publish': `arn:aws:iot:${REGION}:${ACCOUNT}:topic/fleet/enroll/plant-1/edge-SN-1/activation`,
};

describe('deploy/aws/orchestrator-policy.json', () => {
  const policy = render('orchestrator-policy.json');
  const sent = commandsSent();

  it('the scan finds the calls the orchestrator is known to make (it is not looking at nothing)', () => {
    for (const known of ['ssm:CreateActivation', 'ssm:DescribeInstanceInformation', 'ssm:GetServiceSetting', 'iot:DescribeEndpoint', 'iot:Publish', 'iot:ConfirmTopicRuleDestination']) {
      expect([...sent.keys()]).toContain(known);
    }
  });

  it('grants every AWS operation the code calls, on the resources it touches', () => {
    const missing = [...sent].filter(([action]) => !allows(policy, action, RESOURCE_OF[action] ?? '*')).map(([action, files]) => `${action} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('grants what those calls need besides: PassRole of the site roles to SSM only, retained publishes', () => {
    expect(allows(policy, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/SSMServiceRole`)).toBe(true);
    expect(allows(policy, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/AdminRole`)).toBe(false);
    const passRole = policy.Statement.find((s) => list(s.Action).includes('iam:PassRole')) as Statement & { Condition?: unknown };
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } });
    // every publish is retained (credentials, and the empty message that clears them)
    expect(readFileSync(resolve(repo, 'src/adapters/iot-publisher.ts'), 'utf8')).toContain('retain: true');
    expect(allows(policy, 'iot:RetainPublish', RESOURCE_OF['iot:Publish']!)).toBe(true);
    // the MQTT publish connections connect with client ids under the publisher's prefix, and only those
    expect(allows(policy, 'iot:Connect', `arn:aws:iot:${REGION}:${ACCOUNT}:client/${PUBLISH_CLIENT_ID_PREFIX}4242-0a1b2c3d-7`)).toBe(true);
    expect(allows(policy, 'iot:Connect', `arn:aws:iot:${REGION}:${ACCOUNT}:client/edge-SN-000001`)).toBe(false);
  });

  it('grants nothing else: no wildcard actions, no publishing outside the credentials topics, no tagging beyond managed nodes', () => {
    for (const s of policy.Statement) for (const a of list(s.Action)) expect(a).not.toMatch(/\*/);
    expect(allows(policy, 'iot:Publish', `arn:aws:iot:${REGION}:${ACCOUNT}:topic/fleet/enroll/plant-1/edge-SN-1/ack`)).toBe(false);
    expect(allows(policy, 'iot:Publish', `arn:aws:iot:${REGION}:${ACCOUNT}:topic/$aws/things/x/shadow/update`)).toBe(false);
    expect(allows(policy, 'ssm:AddTagsToResource', `arn:aws:ssm:${REGION}:${ACCOUNT}:document/AWS-RunShellScript`)).toBe(false);
    expect(allows(policy, 'ssm:UpdateServiceSetting', RESOURCE_OF['ssm:GetServiceSetting']!)).toBe(false);
    expect(allows(policy, 'ssm:DeregisterManagedInstance', '*')).toBe(false);
  });
});

describe('deploy/aws/device-iot-policy.json', () => {
  /** The policy as AWS IoT evaluates it for a connection of `thing`: its policy variable substituted. */
  const forThing = (thing: string) => {
    const text = JSON.stringify(render('device-iot-policy.json')).replaceAll('${iot:Connection.Thing.ThingName}', thing);
    expect(text).not.toContain('${');
    return JSON.parse(text) as { Statement: Statement[] };
  };
  const arn = (kind: string, name: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${kind}/${name}`;
  const things = ['edge-SN-000001', 'edge-SN-000002'] as const;

  it('lets each of two things connect as itself, take its own credentials and send its own ack', () => {
    for (const thing of things) {
      const policy = forThing(thing);
      expect(allows(policy, 'iot:Connect', arn('client', thing))).toBe(true);
      expect(allows(policy, 'iot:Subscribe', arn('topicfilter', `fleet/enroll/plant-1/${thing}/activation`))).toBe(true);
      expect(allows(policy, 'iot:Receive', arn('topic', `fleet/enroll/plant-1/${thing}/activation`))).toBe(true);
      expect(allows(policy, 'iot:Publish', arn('topic', `fleet/enroll/plant-1/${thing}/ack`))).toBe(true);
    }
  });

  it('keeps each away from the other’s topics and from everything else', () => {
    for (const [thing, other] of [things, [...things].reverse()] as const) {
      const policy = forThing(thing);
      expect(allows(policy, 'iot:Connect', arn('client', other))).toBe(false);
      expect(allows(policy, 'iot:Subscribe', arn('topicfilter', `fleet/enroll/plant-1/${other}/activation`))).toBe(false);
      expect(allows(policy, 'iot:Receive', arn('topic', `fleet/enroll/plant-1/${other}/activation`))).toBe(false);
      expect(allows(policy, 'iot:Publish', arn('topic', `fleet/enroll/plant-1/${other}/ack`))).toBe(false);
      // wildcard filters over other devices' topics, and writing where only the orchestrator writes
      for (const filter of ['fleet/enroll/#', 'fleet/enroll/+/+/activation', 'fleet/#', '#']) expect(allows(policy, 'iot:Subscribe', arn('topicfilter', filter))).toBe(false);
      expect(allows(policy, 'iot:Publish', arn('topic', `fleet/enroll/plant-1/${thing}/activation`))).toBe(false);
      expect(allows(policy, 'iot:RetainPublish', arn('topic', `fleet/enroll/plant-1/${thing}/ack`))).toBe(false);
      // a thing whose name ends like another's gets nothing of it
      expect(allows(policy, 'iot:Receive', arn('topic', `fleet/enroll/plant-1/x${thing}/activation`))).toBe(false);
    }
  });
});

describe('deploy/aws: the rest', () => {
  it('the hybrid-node role trusts ssm.amazonaws.com for this account only', () => {
    const trust = render('hybrid-node-role-trust-policy.json') as unknown as { Statement: { Principal: unknown; Action: string; Condition: Record<string, Record<string, string>> }[] };
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]!).toMatchObject({ Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole' });
    expect(trust.Statement[0]!.Condition['StringEquals']!['aws:SourceAccount']).toBe(ACCOUNT);
    expect(trust.Statement[0]!.Condition['ArnEquals']!['aws:SourceArn']).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:*`);
  });

  it('the ack rule selects the ack topics, adds the topic, and posts to /v1/acks with a bearer token', () => {
    const text = readFileSync(resolve(repo, 'deploy/aws/ack-topic-rule.json'), 'utf8').replaceAll('{{API_HOST}}', 'fleet.example.com').replaceAll('{{ACK_TOKEN}}', 't0k3n');
    const rule = JSON.parse(text) as { sql: string; actions: { http: { url: string; confirmationUrl: string; headers: { key: string; value: string }[] } }[] };
    expect(rule.sql).toBe("SELECT *, topic() AS topic FROM 'fleet/enroll/+/+/ack'");
    const http = rule.actions[0]!.http;
    expect(http.url).toBe('https://fleet.example.com/v1/acks');
    expect(http.url.startsWith(http.confirmationUrl)).toBe(true);
    expect(http.headers).toContainEqual({ key: 'Authorization', value: 'Bearer t0k3n' });
  });
});
