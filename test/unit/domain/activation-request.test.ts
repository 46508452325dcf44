import { describe, expect, it } from 'vitest';
import { buildCreateActivationRequest, defaultInstanceNameFor, type ActivationRequestInput } from '../../../src/domain/activation-request.js';
import { ActivationRequestError } from '../../../src/domain/errors.js';
import type { Site } from '../../../src/domain/site.js';
import { brokenRules } from './activation-rules.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const HOUR = 3_600_000;

const site: Site = {
  id: 'plant-berlin-1',
  region: 'eu-central-1',
  iamRole: 'EdgeSSMRole',
  maxBatchSize: 500,
  batchWindowMs: 2000,
  activationTtlHours: 24,
  tags: { Site: 'berlin-1', Environment: 'Production' },
};

function input(over: Partial<Omit<ActivationRequestInput, 'site'>> & { site?: Partial<Site> } = {}): ActivationRequestInput {
  const s = { ...site, ...over.site };
  return { batchId: 'plant-berlin-1-lx3k9a-7f3a', siteId: s.id, size: 10, now: NOW, ...over, site: s };
}

/** The issues the builder reports, or [] when it builds the request. */
function issuesOf(i: ActivationRequestInput): { path: string; message: string }[] {
  try {
    const request = buildCreateActivationRequest(i);
    expect(brokenRules(request, i.now)).toEqual([]);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ActivationRequestError);
    const e = err as ActivationRequestError;
    expect(e.code).toBe('ACTIVATION_REQUEST_INVALID');
    expect(e.permanent).toBe(true);
    return [...e.issues];
  }
}

const paths = (i: ActivationRequestInput): string[] => issuesOf(i).map((x) => x.path);

describe('buildCreateActivationRequest', () => {
  it('builds the request of a batch: role, limit = size, expiry = now + TTL, batch id in the name, site and batch tags', () => {
    const r = buildCreateActivationRequest(input({ size: 37 }));
    expect(r.IamRole).toBe('EdgeSSMRole');
    expect(r.RegistrationLimit).toBe(37);
    expect(r.ExpirationDate.toISOString()).toBe('2030-01-02T00:00:00.000Z');
    expect(r.DefaultInstanceName).toBe(defaultInstanceNameFor('plant-berlin-1-lx3k9a-7f3a'));
    expect(r.DefaultInstanceName).toContain('plant-berlin-1-lx3k9a-7f3a');
    expect(r.Tags).toEqual([
      { Key: 'fleet:site', Value: 'plant-berlin-1' },
      { Key: 'fleet:batch', Value: 'plant-berlin-1-lx3k9a-7f3a' },
      { Key: 'Site', Value: 'berlin-1' },
      { Key: 'Environment', Value: 'Production' },
    ]);
    expect(r.Description.length).toBeLessThanOrEqual(256);
  });

  it('RegistrationLimit: 0 and 1001 refused, 1 and 1000 accepted, fractions refused', () => {
    expect(paths(input({ size: 0 }))).toEqual(['RegistrationLimit']);
    expect(paths(input({ size: 1 }))).toEqual([]);
    expect(paths(input({ size: 1000 }))).toEqual([]);
    expect(paths(input({ size: 1001 }))).toEqual(['RegistrationLimit']);
    expect(paths(input({ size: 2.5 }))).toEqual(['RegistrationLimit']);
  });

  it('IamRole: 64 characters accepted, 65 refused, empty refused, an ARN refused', () => {
    expect(paths(input({ site: { iamRole: 'R'.repeat(64) } }))).toEqual([]);
    expect(paths(input({ site: { iamRole: 'R'.repeat(65) } }))).toEqual(['IamRole']);
    expect(paths(input({ site: { iamRole: '' } }))).toEqual(['IamRole']);
    const arn = issuesOf(input({ site: { iamRole: 'arn:aws:iam::123456789012:role/EdgeSSMRole' } }));
    expect(arn).toEqual([{ path: 'IamRole', message: expect.stringMatching(/not an ARN/) }]);
  });

  it('ExpirationDate: exactly 30 days ahead accepted, 30 days + 1 s refused, now or before refused', () => {
    expect(paths(input({ site: { activationTtlHours: 720 } }))).toEqual([]);
    expect(paths(input({ site: { activationTtlHours: 720 + 1 / 3600 } }))).toEqual(['ExpirationDate']);
    expect(paths(input({ site: { activationTtlHours: 0 } }))).toEqual(['ExpirationDate']);
    expect(paths(input({ site: { activationTtlHours: -1 } }))).toEqual(['ExpirationDate']);
    expect(paths(input({ site: { activationTtlHours: 1 / 3600 } }))).toEqual([]);
    expect(buildCreateActivationRequest(input({ site: { activationTtlHours: 720 } })).ExpirationDate.getTime()).toBe(
      NOW.getTime() + 720 * HOUR,
    );
  });

  it('DefaultInstanceName: 256 characters accepted, 257 refused; "#" and emoji refused; Unicode letters and spaces fine', () => {
    const prefix = defaultInstanceNameFor('').length;
    expect(paths(input({ batchId: 'b'.repeat(256 - prefix) }))).not.toContain('DefaultInstanceName');
    expect(paths(input({ batchId: 'b'.repeat(257 - prefix) }))).toContain('DefaultInstanceName');
    expect(paths(input({ batchId: 'batch#1' }))).toContain('DefaultInstanceName');
    expect(paths(input({ batchId: 'batch-🚀' }))).toContain('DefaultInstanceName');
    expect(paths(input({ batchId: 'Größe 1 =+@:/_.' }))).toEqual([]);
  });

  it('Description stays within 256 characters even for the longest valid site id and batch', () => {
    const r = buildCreateActivationRequest(input({ site: { id: 's'.repeat(64) }, siteId: 's'.repeat(64), size: 1000 }));
    expect(r.Description.length).toBeLessThanOrEqual(256);
  });

  it('Tags: 1000 accepted, 1001 refused (fleet:site and fleet:batch count)', () => {
    const tags = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(paths(input({ site: { tags: tags(998) } }))).toEqual([]);
    expect(paths(input({ site: { tags: tags(999) } }))).toEqual(['Tags']);
  });

  it('tag key 128 accepted, 129 refused; tag value 256 accepted, 257 refused; empty value fine, empty key refused', () => {
    expect(paths(input({ site: { tags: { ['k'.repeat(128)]: 'v' } } }))).toEqual([]);
    expect(paths(input({ site: { tags: { ['k'.repeat(129)]: 'v' } } }))).toEqual(['Tags[2].Key']);
    expect(paths(input({ site: { tags: { k: 'v'.repeat(256) } } }))).toEqual([]);
    expect(paths(input({ site: { tags: { k: 'v'.repeat(257) } } }))).toEqual(['Tags[2].Value']);
    expect(paths(input({ site: { tags: { k: '' } } }))).toEqual([]);
    expect(paths(input({ site: { tags: { '': 'v' } } }))).toEqual(['Tags[2].Key']);
  });

  it('tag keys and values: "aws:" keys (any case) refused, "#" and emoji refused, fleet: keys reserved', () => {
    expect(paths(input({ site: { tags: { 'aws:cost': 'v' } } }))).toEqual(['Tags[2].Key']);
    expect(paths(input({ site: { tags: { 'AWS:cost': 'v' } } }))).toEqual(['Tags[2].Key']);
    expect(paths(input({ site: { tags: { 'a#b': 'v' } } }))).toEqual(['Tags[2].Key']);
    expect(paths(input({ site: { tags: { k: 'v#1' } } }))).toEqual(['Tags[2].Value']);
    expect(paths(input({ site: { tags: { k: '😀' } } }))).toEqual(['Tags[2].Value']);
    expect(paths(input({ site: { tags: { 'fleet:site': 'other' } } }))).toEqual(['Tags[2].Key']);
    // a batch id with "#" breaks the name and the fleet:batch tag value alike
    expect(paths(input({ batchId: 'a#b' }))).toEqual(['DefaultInstanceName', 'Tags[1].Value']);
  });

  it('lists every broken rule at once, in one error', () => {
    const err = (() => {
      try {
        buildCreateActivationRequest(input({ size: 0, site: { iamRole: 'arn:aws:iam::1:role/x', activationTtlHours: 800, tags: { 'aws:x': 'y' } } }));
      } catch (e) {
        return e as ActivationRequestError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err.issues.map((i) => i.path)).toEqual(['IamRole', 'RegistrationLimit', 'ExpirationDate', 'Tags[2].Key']);
    expect(err.message).toContain('RegistrationLimit');
    expect(err.message).toContain('IamRole');
  });

  it('refuses a site that is not the batch site, and an empty batch id', () => {
    expect(paths(input({ siteId: 'plant-other' }))).toContain('siteId');
    expect(paths(input({ batchId: '' }))).toContain('batchId');
  });
});

describe('buildCreateActivationRequest messages', () => {
  it('says what is wrong in words: site mismatch, empty batch id, too many tags, a reserved key', () => {
    expect(issuesOf(input({ siteId: 'other' }))).toEqual([{ path: 'siteId', message: 'does not match the site given ("plant-berlin-1")' }]);
    expect(issuesOf(input({ batchId: '' }))).toContainEqual({ path: 'batchId', message: 'is required' });
    const tags = Object.fromEntries(Array.from({ length: 999 }, (_, i) => [`k${i}`, 'v']));
    expect(issuesOf(input({ site: { tags } }))).toEqual([{ path: 'Tags', message: 'at most 1000 tags (got 1001)' }]);
    expect(issuesOf(input({ site: { tags: { 'fleet:x': 'v' } } }))).toEqual([{ path: 'Tags[2].Key', message: '"fleet:" keys are set by fleet-enroll' }]);
  });

  it('describes the activation by its size and site, and names a too-long description', () => {
    expect(buildCreateActivationRequest(input()).Description).toBe('fleet-enroll batch of 10 for site plant-berlin-1');
    const long = 's'.repeat(300);
    expect(issuesOf(input({ siteId: long, site: { id: long } }))).toContainEqual({ path: 'Description', message: 'must be at most 256 characters' });
  });
});
