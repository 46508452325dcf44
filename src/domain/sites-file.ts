/**
 * The sites file (docs/CONTRACT.md "Sites file"): `defaults` merged into each site, every value checked against
 * the CreateActivation limits up front, so a batch never reaches AWS with a request AWS would refuse.
 * Every mistake is reported at once, each with its JSON path.
 */
import { REGION_PATTERN } from './identifiers.js';
import {
  MAX_EXPIRATION_MS,
  MAX_TAGS,
  REGISTRATION_LIMIT_MAX,
  RESERVED_TAG_PREFIX,
  checkIamRole,
  checkTagKey,
  checkTagValue,
} from './activation-constraints.js';
import type { FieldIssue } from './errors.js';
import { isJsonObject, joinPath, jsonTypeOf, type JsonObject } from './json-shape.js';
import type { NodeQuotaSetting, RegionLimits, Site, SitesConfig } from './site.js';

/** Site ids appear in MQTT topics, Redis keys, tags and DefaultInstanceName: keep them plain. */
export const SITE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** declared in identifiers.ts; re-exported for the config loader */
export { REGION_PATTERN };
export const DEFAULT_MAX_BATCH_SIZE = 1000;
export const DEFAULT_BATCH_WINDOW_MS = 2000;
/** A batch window longer than this would leave a line's devices waiting for no good reason. */
export const MAX_BATCH_WINDOW_MS = 10 * 60 * 1000;
export const DEFAULT_ACTIVATION_TTL_HOURS = 24;
export const MAX_ACTIVATION_TTL_HOURS = MAX_EXPIRATION_MS / (60 * 60 * 1000);
/** Hybrid nodes per account and Region on the standard tier. */
export const STANDARD_TIER_NODE_QUOTA = 1000;
/** `nodeQuota` left out: read from the account (its activation tier and the nodes already there). */
export const DEFAULT_NODE_QUOTA: NodeQuotaSetting = 'account';

type Settings = { -readonly [K in keyof Omit<Site, 'id'>]?: Site[K] };

const SETTING_KEYS = ['region', 'iamRole', 'maxBatchSize', 'batchWindowMs', 'activationTtlHours', 'tags'] as const;
const DEFAULTS_KEYS = new Set<string>([...SETTING_KEYS, 'nodeQuota']);
const SITE_KEYS = new Set<string>([...SETTING_KEYS, 'id']);
const TOP_KEYS = new Set(['defaults', 'sites', 'regions']);

export interface SitesFileOptions {
  /** Region for sites that name none (neither they nor `defaults`): the process's AWS_REGION. */
  readonly fallbackRegion?: string;
}

export type SitesFileResult = { readonly ok: SitesConfig } | { readonly issues: FieldIssue[] };

export function validateSitesFile(input: unknown, options: SitesFileOptions = {}): SitesFileResult {
  const issues: FieldIssue[] = [];
  const add = (path: string, message: string): void => void issues.push({ path, message });

  if (!isJsonObject(input)) return { issues: [{ path: '', message: `must be a JSON object (got ${jsonTypeOf(input)})` }] };
  for (const key of Object.keys(input)) if (!TOP_KEYS.has(key)) add(joinPath('', key), 'unknown field');

  let defaults: Settings = {};
  let defaultNodeQuota: NodeQuotaSetting = DEFAULT_NODE_QUOTA;
  if (input.defaults !== undefined) {
    if (!isJsonObject(input.defaults)) add('defaults', `must be an object (got ${jsonTypeOf(input.defaults)})`);
    else {
      defaults = readSettings(input.defaults, 'defaults', DEFAULTS_KEYS, add);
      if (input.defaults.nodeQuota !== undefined) {
        const quota = readNodeQuota(input.defaults.nodeQuota, 'defaults.nodeQuota', add);
        if (quota !== undefined) defaultNodeQuota = quota;
      }
    }
  }

  const regions = new Map<string, RegionLimits>();
  if (input.regions !== undefined) {
    if (!isJsonObject(input.regions)) add('regions', `must be an object (got ${jsonTypeOf(input.regions)})`);
    else {
      for (const [region, limits] of Object.entries(input.regions)) {
        const path = joinPath('regions', region);
        if (!REGION_PATTERN.test(region)) add(path, 'is not an AWS Region name (e.g. "eu-central-1")');
        if (!isJsonObject(limits)) {
          add(path, `must be an object like {"nodeQuota": 1000} (got ${jsonTypeOf(limits)})`);
          continue;
        }
        for (const key of Object.keys(limits)) if (key !== 'nodeQuota') add(joinPath(path, key), 'unknown field');
        const quota = readNodeQuota(limits.nodeQuota, joinPath(path, 'nodeQuota'), add);
        if (quota !== undefined) regions.set(region, Object.freeze({ nodeQuota: quota }));
      }
    }
  }

  const sites = new Map<string, Site>();
  if (!Array.isArray(input.sites)) {
    add('sites', input.sites === undefined ? 'is required (a list of sites)' : `must be an array (got ${jsonTypeOf(input.sites)})`);
  } else if (input.sites.length === 0) {
    add('sites', 'must list at least one site');
  } else {
    const firstIndex = new Map<string, number>();
    input.sites.forEach((raw, i) => {
      const path = `sites[${i}]`;
      if (!isJsonObject(raw)) return add(path, `must be an object (got ${jsonTypeOf(raw)})`);
      const own = readSettings(raw, path, SITE_KEYS, add);
      const id = readSiteId(raw.id, joinPath(path, 'id'), add);
      if (id !== undefined) {
        const seen = firstIndex.get(id);
        if (seen !== undefined) add(joinPath(path, 'id'), `duplicate site id "${id}" (also sites[${seen}])`);
        else firstIndex.set(id, i);
      }
      // a field already refused in `defaults` is not reported again as missing from every site
      const refusedDefaults = isJsonObject(input.defaults) ? input.defaults : {};
      const site = merge(
        id,
        defaults,
        own,
        options.fallbackRegion,
        path,
        add,
        (at, message) => {
          const field = at.slice(path.length + 1);
          if (!(field in refusedDefaults)) add(at, message);
        },
        new Set(Object.keys(raw)),
      );
      if (site && !sites.has(site.id)) sites.set(site.id, site);
    });
  }

  if (issues.length > 0) return { issues };
  return { ok: { sites, regions, defaultNodeQuota } };
}

type Add = (path: string, message: string) => void;

function merge(
  id: string | undefined,
  defaults: Settings,
  own: Settings,
  fallbackRegion: string | undefined,
  path: string,
  add: Add,
  /** for "is required": quiet about a field `defaults` gave and had refused */
  addMissing: Add,
  /** fields the site names itself: one refused there is not reported missing too */
  given: ReadonlySet<string>,
): Site | undefined {
  const region = own.region ?? defaults.region ?? fallbackRegion;
  const iamRole = own.iamRole ?? defaults.iamRole;
  if (region === undefined && !given.has('region')) addMissing(joinPath(path, 'region'), 'is required (here or in defaults)');
  if (iamRole === undefined && !given.has('iamRole')) addMissing(joinPath(path, 'iamRole'), 'is required (here or in defaults)');
  const tags = { ...defaults.tags, ...own.tags };
  // fleet:site and fleet:batch take two of the activation's tags
  if (Object.keys(tags).length > MAX_TAGS - 2) {
    add(joinPath(path, 'tags'), `at most ${MAX_TAGS - 2} tags with defaults merged (fleet-enroll adds 2 of the ${MAX_TAGS})`);
  }
  if (id === undefined || region === undefined || iamRole === undefined) return undefined;
  return Object.freeze({
    id,
    region,
    iamRole,
    maxBatchSize: own.maxBatchSize ?? defaults.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    batchWindowMs: own.batchWindowMs ?? defaults.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
    activationTtlHours: own.activationTtlHours ?? defaults.activationTtlHours ?? DEFAULT_ACTIVATION_TTL_HOURS,
    tags: Object.freeze(tags),
  });
}

function readSettings(obj: JsonObject, path: string, allowed: ReadonlySet<string>, add: Add): Settings {
  const out: Settings = {};
  for (const key of Object.keys(obj)) if (!allowed.has(key)) add(joinPath(path, key), 'unknown field');
  const at = (key: string): string => joinPath(path, key);

  if (obj.region !== undefined) {
    if (typeof obj.region !== 'string' || !REGION_PATTERN.test(obj.region)) {
      add(at('region'), 'must be an AWS Region name (e.g. "eu-central-1")');
    } else out.region = obj.region;
  }
  if (obj.iamRole !== undefined) {
    const problem = typeof obj.iamRole === 'string' ? checkIamRole(obj.iamRole) : 'must be a string (an IAM role name)';
    if (problem) add(at('iamRole'), problem);
    else out.iamRole = obj.iamRole as string;
  }
  if (obj.maxBatchSize !== undefined) {
    const v = obj.maxBatchSize;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > REGISTRATION_LIMIT_MAX) {
      add(at('maxBatchSize'), `must be an integer from 1 to ${REGISTRATION_LIMIT_MAX} (it becomes RegistrationLimit)`);
    } else out.maxBatchSize = v;
  }
  if (obj.batchWindowMs !== undefined) {
    const v = obj.batchWindowMs;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_BATCH_WINDOW_MS) {
      add(at('batchWindowMs'), `must be an integer from 0 to ${MAX_BATCH_WINDOW_MS} (milliseconds)`);
    } else out.batchWindowMs = v;
  }
  if (obj.activationTtlHours !== undefined) {
    const v = obj.activationTtlHours;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > MAX_ACTIVATION_TTL_HOURS) {
      add(at('activationTtlHours'), `must be a number of hours above 0 and at most ${MAX_ACTIVATION_TTL_HOURS} (30 days)`);
    } else out.activationTtlHours = v;
  }
  if (obj.tags !== undefined) {
    if (!isJsonObject(obj.tags)) add(at('tags'), `must be an object of string values (got ${jsonTypeOf(obj.tags)})`);
    else out.tags = readTags(obj.tags, at('tags'), add);
  }
  return out;
}

function readTags(obj: JsonObject, path: string, add: Add): Record<string, string> {
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(obj)) {
    const at = joinPath(path, key);
    const keyProblem = key.startsWith(RESERVED_TAG_PREFIX)
      ? `"${RESERVED_TAG_PREFIX}" tag keys are set by fleet-enroll`
      : checkTagKey(key);
    if (keyProblem) add(at, keyProblem);
    const valueProblem = typeof value === 'string' ? checkTagValue(value) : `tag value must be a string (got ${jsonTypeOf(value)})`;
    if (valueProblem) add(at, valueProblem);
    if (!keyProblem && !valueProblem) entries.push([key, value as string]);
  }
  return Object.fromEntries(entries);
}

function readSiteId(value: unknown, path: string, add: Add): string | undefined {
  if (value === undefined) return void add(path, 'is required');
  if (typeof value !== 'string' || !SITE_ID_PATTERN.test(value)) {
    return void add(path, 'must be 1-64 characters of A-Z a-z 0-9 _ . - starting with a letter or digit');
  }
  return value;
}

function readNodeQuota(value: unknown, path: string, add: Add): number | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return void add(path, 'must be a whole number of managed nodes, or null for no limit (advanced tier)');
  }
  return value;
}
