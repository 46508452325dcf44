import { describe, expect, it } from 'vitest';
import { validateSitesFile } from '../../../src/domain/sites-file.js';

const designExample = {
  defaults: { region: 'us-east-1', iamRole: 'SSMServiceRole', maxBatchSize: 1000, batchWindowMs: 2000, activationTtlHours: 24, tags: { Owner: 'factory' } },
  sites: [{ id: 'plant-berlin-1', region: 'eu-central-1', iamRole: 'EdgeSSMRole', tags: { Site: 'berlin-1', Environment: 'Production' }, maxBatchSize: 500 }],
};

const pathsOf = (input: unknown): string[] => {
  const r = validateSitesFile(input);
  return 'issues' in r ? r.issues.map((i) => i.path) : [];
};

describe('validateSitesFile', () => {
  it('merges defaults into each site (site values win, tags merged key by key)', () => {
    const r = validateSitesFile({ ...designExample, sites: [...designExample.sites, { id: 'plant-austin-2' }] });
    if (!('ok' in r)) throw new Error(JSON.stringify(r.issues));
    expect(r.ok.sites.get('plant-berlin-1')).toEqual({
      id: 'plant-berlin-1',
      region: 'eu-central-1',
      iamRole: 'EdgeSSMRole',
      maxBatchSize: 500,
      batchWindowMs: 2000,
      activationTtlHours: 24,
      tags: { Owner: 'factory', Site: 'berlin-1', Environment: 'Production' },
    });
    expect(r.ok.sites.get('plant-austin-2')).toMatchObject({ region: 'us-east-1', iamRole: 'SSMServiceRole', maxBatchSize: 1000, tags: { Owner: 'factory' } });
    // nodeQuota left out: read from the account (its activation tier and the nodes already there)
    expect(r.ok.defaultNodeQuota).toBe('account');
    expect(r.ok.regions.size).toBe(0);
  });

  it('fills built-in defaults, and the fallback Region, when the file names none', () => {
    const r = validateSitesFile({ sites: [{ id: 's1', iamRole: 'Role' }] }, { fallbackRegion: 'ap-south-1' });
    if (!('ok' in r)) throw new Error('expected ok');
    expect(r.ok.sites.get('s1')).toEqual({ id: 's1', region: 'ap-south-1', iamRole: 'Role', maxBatchSize: 1000, batchWindowMs: 2000, activationTtlHours: 24, tags: {} });
  });

  it('reads node quotas: defaults.nodeQuota (null = unlimited) and per-Region overrides', () => {
    const r = validateSitesFile({ defaults: { iamRole: 'R', region: 'us-east-1', nodeQuota: null }, regions: { 'eu-central-1': { nodeQuota: 5000 } }, sites: [{ id: 's' }] });
    if (!('ok' in r)) throw new Error('expected ok');
    expect(r.ok.defaultNodeQuota).toBeNull();
    expect(r.ok.regions.get('eu-central-1')).toEqual({ nodeQuota: 5000 });
  });

  it('lists three independent mistakes at once, each with its JSON path', () => {
    const r = validateSitesFile({
      defaults: { region: 'us-east-1', iamRole: 'SSMServiceRole' },
      sites: [
        { id: 'a', iamRole: 'arn:aws:iam::123456789012:role/Edge' },
        { id: 'b', maxBatchSize: 1001 },
        { id: 'c', tags: { 'aws:owner': 'x' } },
      ],
    });
    expect(r).toEqual({
      issues: [
        { path: 'sites[0].iamRole', message: expect.stringMatching(/not an ARN/) },
        { path: 'sites[1].maxBatchSize', message: expect.stringMatching(/1 to 1000/) },
        { path: 'sites[2].tags["aws:owner"]', message: expect.stringMatching(/aws:/) },
      ],
    });
  });

  it('refuses every CreateActivation limit a site could break', () => {
    const site = (extra: object) => ({ defaults: { region: 'us-east-1', iamRole: 'Role' }, sites: [{ id: 's', ...extra }] });
    expect(pathsOf(site({ iamRole: 'R'.repeat(65) }))).toEqual(['sites[0].iamRole']);
    expect(pathsOf(site({ iamRole: 'R'.repeat(64) }))).toEqual([]);
    expect(pathsOf(site({ maxBatchSize: 0 }))).toEqual(['sites[0].maxBatchSize']);
    expect(pathsOf(site({ maxBatchSize: 1 }))).toEqual([]);
    expect(pathsOf(site({ activationTtlHours: 720 }))).toEqual([]);
    expect(pathsOf(site({ activationTtlHours: 720.001 }))).toEqual(['sites[0].activationTtlHours']);
    expect(pathsOf(site({ activationTtlHours: 0 }))).toEqual(['sites[0].activationTtlHours']);
    expect(pathsOf(site({ batchWindowMs: -1 }))).toEqual(['sites[0].batchWindowMs']);
    expect(pathsOf(site({ batchWindowMs: 600_001 }))).toEqual(['sites[0].batchWindowMs']);
    expect(pathsOf(site({ tags: { 'fleet:batch': 'x' } }))).toEqual(['sites[0].tags["fleet:batch"]']);
    expect(pathsOf(site({ tags: { k: 'v#' } }))).toEqual(['sites[0].tags.k']);
    expect(pathsOf(site({ tags: { k: 'v'.repeat(257) } }))).toEqual(['sites[0].tags.k']);
    expect(pathsOf(site({ tags: { ['k'.repeat(129)]: 'v' } }))).toHaveLength(1);
    const tags = Object.fromEntries(Array.from({ length: 999 }, (_, i) => [`k${i}`, 'v']));
    expect(pathsOf(site({ tags }))).toEqual(['sites[0].tags']);
    expect(pathsOf(site({ region: 'Frankfurt' }))).toEqual(['sites[0].region']);
  });

  it('refuses site ids unusable in topics, keys or names, and duplicates', () => {
    const file = (...ids: unknown[]) => ({ defaults: { region: 'us-east-1', iamRole: 'Role' }, sites: ids.map((id) => ({ id })) });
    expect(pathsOf(file('a/b'))).toEqual(['sites[0].id']);
    expect(pathsOf(file('a+b'))).toEqual(['sites[0].id']);
    expect(pathsOf(file('a#'))).toEqual(['sites[0].id']);
    expect(pathsOf(file('s'.repeat(65)))).toEqual(['sites[0].id']);
    expect(pathsOf(file(undefined))).toEqual(['sites[0].id']);
    const dup = validateSitesFile(file('a', 'b', 'a'));
    expect(dup).toEqual({ issues: [{ path: 'sites[2].id', message: 'duplicate site id "a" (also sites[0])' }] });
  });

  it('requires a role and a region for every site, from the site or the defaults', () => {
    expect(pathsOf({ sites: [{ id: 'a' }] })).toEqual(['sites[0].region', 'sites[0].iamRole']);
  });

  it('refuses unknown fields, a missing or empty sites list, and a bad Region quota', () => {
    expect(pathsOf({ sites: [{ id: 'a', region: 'us-east-1', iamRole: 'R', colour: 1 }], extra: true })).toEqual(['extra', 'sites[0].colour']);
    expect(pathsOf({})).toEqual(['sites']);
    expect(pathsOf({ sites: [] })).toEqual(['sites']);
    expect(pathsOf({ regions: { 'eu-central-1': { nodeQuota: -1 } }, sites: [{ id: 'a', region: 'us-east-1', iamRole: 'R' }] })).toEqual(['regions["eu-central-1"].nodeQuota']);
    expect(pathsOf({ defaults: { iamRole: 'arn:aws:iam::1:role/x' }, sites: [{ id: 'a', region: 'us-east-1' }] })).toEqual(['defaults.iamRole']);
    // a field refused in the site itself is reported once, not also as missing
    expect(pathsOf({ sites: [{ id: 'a', region: 'mars-1', iamRole: 'arn:aws:iam::1:role/x' }] })).toEqual(['sites[0].region', 'sites[0].iamRole']);
    expect(pathsOf([])).toEqual(['']);
  });
  it('counts the 998-tag limit with the defaults merged in, also when defaults has tags', () => {
    const tags = (prefix: string, n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));
    const input = { defaults: { region: 'us-east-1', iamRole: 'R', tags: tags('d', 500) }, sites: [{ id: 'over', tags: tags('s', 499) }, { id: 'fits', tags: tags('s', 498) }] };
    const r = validateSitesFile(input);
    expect('issues' in r && r.issues).toEqual([{ path: 'sites[0].tags', message: expect.stringMatching(/at most 998 tags with defaults merged/) }]);
  });

  it('tells what each value should be, with the type it got', () => {
    const defaults = { region: 'us-east-1', iamRole: 'R' };
    const issuesOf = (input: unknown) => {
      const r = validateSitesFile(input);
      return 'issues' in r ? r.issues : [];
    };
    expect(issuesOf(['x'])).toEqual([{ path: '', message: 'must be a JSON object (got array)' }]);
    expect(issuesOf({ defaults: 'x', regions: [], sites: {} })).toEqual([
      { path: 'defaults', message: 'must be an object (got string)' },
      { path: 'regions', message: 'must be an object (got array)' },
      { path: 'sites', message: 'must be an array (got object)' },
    ]);
    expect(issuesOf({ extra: 1 })).toEqual([
      { path: 'extra', message: 'unknown field' },
      { path: 'sites', message: 'is required (a list of sites)' },
    ]);
    expect(issuesOf({ sites: [] })).toEqual([{ path: 'sites', message: 'must list at least one site' }]);
    expect(issuesOf({ defaults, sites: ['s', null] })).toEqual([
      { path: 'sites[0]', message: 'must be an object (got string)' },
      { path: 'sites[1]', message: 'must be an object (got null)' },
    ]);
    expect(
      issuesOf({
        defaults,
        sites: [{ id: 7, region: 5, iamRole: 5, maxBatchSize: '10', batchWindowMs: 1.5, activationTtlHours: Number.POSITIVE_INFINITY, tags: ['t'], nodeQuota: 1 }],
      }),
    ).toEqual([
      { path: 'sites[0].nodeQuota', message: 'unknown field' },
      { path: 'sites[0].region', message: 'must be an AWS Region name (e.g. "eu-central-1")' },
      { path: 'sites[0].iamRole', message: 'must be a string (an IAM role name)' },
      { path: 'sites[0].maxBatchSize', message: 'must be an integer from 1 to 1000 (it becomes RegistrationLimit)' },
      { path: 'sites[0].batchWindowMs', message: 'must be an integer from 0 to 600000 (milliseconds)' },
      { path: 'sites[0].activationTtlHours', message: 'must be a number of hours above 0 and at most 720 (30 days)' },
      { path: 'sites[0].tags', message: 'must be an object of string values (got array)' },
      { path: 'sites[0].id', message: 'must be 1-64 characters of A-Z a-z 0-9 _ . - starting with a letter or digit' },
    ]);
    expect(issuesOf({ defaults, sites: [{ region: 'us-east-1' }] })).toEqual([{ path: 'sites[0].id', message: 'is required' }]);
    expect(issuesOf({ sites: [{ id: 'a' }] })).toEqual([
      { path: 'sites[0].region', message: 'is required (here or in defaults)' },
      { path: 'sites[0].iamRole', message: 'is required (here or in defaults)' },
    ]);
    expect(issuesOf({ defaults, sites: [{ id: 'a', tags: { n: 1, 'fleet:x': 'v' } }] })).toEqual([
      { path: 'sites[0].tags.n', message: 'tag value must be a string (got number)' },
      { path: 'sites[0].tags["fleet:x"]', message: '"fleet:" tag keys are set by fleet-enroll' },
    ]);
  });

  it('regions: a Region name each, an object with nodeQuota only, a whole number or null', () => {
    const issuesOf = (regions: unknown) => {
      const r = validateSitesFile({ defaults: { region: 'us-east-1', iamRole: 'R' }, regions, sites: [{ id: 'a' }] });
      return 'issues' in r ? r.issues : [];
    };
    const quota = 'must be a whole number of managed nodes, or null for no limit (advanced tier)';
    expect(issuesOf({ Frankfurt: { nodeQuota: 1 } })).toEqual([{ path: 'regions.Frankfurt', message: 'is not an AWS Region name (e.g. "eu-central-1")' }]);
    expect(issuesOf({ 'eu-central-1': 5 })).toEqual([{ path: 'regions["eu-central-1"]', message: 'must be an object like {"nodeQuota": 1000} (got number)' }]);
    expect(issuesOf({ 'eu-central-1': { nodeQuota: 1, max: 2 } })).toEqual([{ path: 'regions["eu-central-1"].max', message: 'unknown field' }]);
    for (const nodeQuota of [-1, 1.5, '10', undefined]) {
      expect(issuesOf({ 'eu-central-1': { nodeQuota } }), String(nodeQuota)).toEqual([{ path: 'regions["eu-central-1"].nodeQuota', message: quota }]);
    }
    const r = validateSitesFile({ defaults: { region: 'us-east-1', iamRole: 'R', nodeQuota: 0 }, regions: { 'eu-central-1': { nodeQuota: 0 }, 'us-west-2': { nodeQuota: null } }, sites: [{ id: 'a' }] });
    if (!('ok' in r)) throw new Error(JSON.stringify(r.issues));
    expect(r.ok.defaultNodeQuota).toBe(0);
    expect([...r.ok.regions]).toEqual([
      ['eu-central-1', { nodeQuota: 0 }],
      ['us-west-2', { nodeQuota: null }],
    ]);
    expect(pathsOf({ defaults: { region: 'us-east-1', iamRole: 'R', nodeQuota: -5 }, sites: [{ id: 'a' }] })).toEqual(['defaults.nodeQuota']);
  });

  it('the boundaries of batchWindowMs (0 and 600000 fine) and the defaults each setting falls back to', () => {
    const site = (extra: object) => ({ defaults: { region: 'us-east-1', iamRole: 'Role' }, sites: [{ id: 's', ...extra }] });
    expect(pathsOf(site({ batchWindowMs: 0 }))).toEqual([]);
    expect(pathsOf(site({ batchWindowMs: 600_000 }))).toEqual([]);
    expect(pathsOf(site({ maxBatchSize: 1000 }))).toEqual([]);
    expect(pathsOf(site({ maxBatchSize: 2.5 }))).toEqual(['sites[0].maxBatchSize']);
    expect(pathsOf(site({ activationTtlHours: 0.5 }))).toEqual([]);
    expect(pathsOf(site({ activationTtlHours: '24' }))).toEqual(['sites[0].activationTtlHours']);
    // not from JSON, but the validator takes any value: NaN is no number of hours
    expect(pathsOf(site({ activationTtlHours: Number.NaN }))).toEqual(['sites[0].activationTtlHours']);
    const r = validateSitesFile({ defaults: { region: 'us-east-1', iamRole: 'R', batchWindowMs: 50, activationTtlHours: 2, maxBatchSize: 9 }, sites: [{ id: 'a' }, { id: 'b', batchWindowMs: 0, activationTtlHours: 1 }] });
    if (!('ok' in r)) throw new Error(JSON.stringify(r.issues));
    expect(r.ok.sites.get('a')).toMatchObject({ batchWindowMs: 50, activationTtlHours: 2, maxBatchSize: 9 });
    expect(r.ok.sites.get('b')).toMatchObject({ batchWindowMs: 0, activationTtlHours: 1, maxBatchSize: 9 });
  });

  it('keeps the sites in file order, each frozen with its tags', () => {
    const r = validateSitesFile({ defaults: { region: 'us-east-1', iamRole: 'R' }, sites: [{ id: 'a' }, { id: 'b' }] });
    if (!('ok' in r)) throw new Error(JSON.stringify(r.issues));
    expect([...r.ok.sites.keys()]).toEqual(['a', 'b']);
    expect(Object.isFrozen(r.ok.sites.get('a'))).toBe(true);
    expect(Object.isFrozen(r.ok.sites.get('a')?.tags)).toBe(true);
  });
});

describe('validateSitesFile, missing ids', () => {
  it('two sites without an id: each "is required", neither a duplicate of the other', () => {
    const r = validateSitesFile({ defaults: { region: 'us-east-1', iamRole: 'R' }, sites: [{}, {}] });
    expect(r).toEqual({ issues: [{ path: 'sites[0].id', message: 'is required' }, { path: 'sites[1].id', message: 'is required' }] });
  });
});
