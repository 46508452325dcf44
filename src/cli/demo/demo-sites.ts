/** The demo's factory: sites of uneven sizes, as real plants are. */
import type { Site, SitesConfig } from '../../domain/site.js';

const PLANTS = ['berlin', 'austin', 'shenzhen', 'pune', 'monterrey', 'lyon', 'osaka', 'porto', 'gdansk', 'toronto', 'penang', 'brno'];

export interface DemoSite {
  readonly site: Site;
  readonly devices: number;
}

export interface DemoSiteOptions {
  readonly devices: number;
  readonly sites: number;
  readonly region: string;
  readonly maxBatchSize?: number;
  readonly batchWindowMs?: number;
}

/** Site i gets a share proportional to (i % 5) + 1, so sizes differ by up to five times; every site gets ≥ 1. */
export function demoSites(options: DemoSiteOptions): DemoSite[] {
  const { devices, sites } = options;
  if (sites < 1 || devices < sites) throw new RangeError('need at least one device per site');
  const weights = Array.from({ length: sites }, (_, i) => (i % 5) + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => 1 + Math.floor(((devices - sites) * w) / total));
  sizes[0]! += devices - sizes.reduce((a, b) => a + b, 0);
  return sizes.map((count, i) => ({
    devices: count,
    site: Object.freeze({
      id: `plant-${PLANTS[i % PLANTS.length]}-${Math.floor(i / PLANTS.length) + 1}`,
      region: options.region,
      iamRole: 'SSMServiceRole',
      maxBatchSize: options.maxBatchSize ?? 1000,
      batchWindowMs: options.batchWindowMs ?? 1000,
      activationTtlHours: 24,
      tags: Object.freeze({ Owner: 'factory', Site: `${PLANTS[i % PLANTS.length]}-${Math.floor(i / PLANTS.length) + 1}` }),
    }),
  }));
}

export function sitesConfig(sites: readonly DemoSite[]): SitesConfig {
  return {
    sites: new Map(sites.map((s) => [s.site.id, s.site])),
    regions: new Map(),
    // the demo registers more nodes than the standard tier's 1,000: it plays an advanced-tier account
    defaultNodeQuota: null,
  };
}
