/** A site after the sites file's `defaults` have been merged into it. */
export interface Site {
  readonly id: string;
  readonly region: string;
  /** IAM role *name* (never an ARN) assumed by nodes registered at this site. */
  readonly iamRole: string;
  /** 1..1000: devices per batch, and so RegistrationLimit of its activation. */
  readonly maxBatchSize: number;
  /** A batch is cut this long after its first waiting device, if not full before. */
  readonly batchWindowMs: number;
  readonly activationTtlHours: number;
  /** Site tags, copied onto the activation (and so onto every node registered with it). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Managed-node quota of a Region: a number of nodes, `null` = unlimited, or `'account'` = read from the
 * account (its activation tier: standard → 1,000 minus the managed nodes already there; advanced → unlimited).
 */
export type NodeQuotaSetting = number | null | 'account';

/** A Region's configured limits: a quota set in the sites file overrides the account's. */
export interface RegionLimits {
  readonly nodeQuota: number | null;
}

export interface SitesConfig {
  readonly sites: ReadonlyMap<string, Site>;
  /** Quota per Region; a Region not listed gets `defaultNodeQuota`. */
  readonly regions: ReadonlyMap<string, RegionLimits>;
  readonly defaultNodeQuota: NodeQuotaSetting;
}

/** Where a Region's quota comes from: the sites file (regions, then defaults), else the account. */
export function nodeQuotaSetting(sites: SitesConfig, region: string): NodeQuotaSetting {
  return sites.regions.get(region)?.nodeQuota ?? (sites.regions.has(region) ? null : sites.defaultNodeQuota);
}
