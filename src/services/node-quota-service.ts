/**
 * The managed-node quota of each Region, as admission uses it (the reserve script compares a batch's
 * size plus fleet-enroll's `used` counter with a limit). A quota set in the sites file is that limit. A
 * Region whose quota is left out reads it from the account, at start, on every refresh pass and whenever
 * a reading is older than the refresh interval:
 *  - advanced tier → no limit;
 *  - standard tier → 1,000 minus the managed nodes already there (whoever registered them) minus what
 *    fleet-enroll reserved and is not registered yet. As a limit for `used`: 1,000 − nodes + (used − pending),
 *    which stays right as batches reserve, register and release between two readings.
 * A failed reading keeps the last good one (logged, and in status); with none yet there is no room, so a
 * batch waits `blocked: quota` rather than hand out credentials AWS may refuse.
 */
import type { Logger } from 'pino';
import type { ActivationTier, SsmAccount } from '../adapters/ssm-account.js';
import type { Metrics } from '../adapters/metrics.js';
import { nodeQuotaSetting, type SitesConfig } from '../domain/site.js';
import { STANDARD_TIER_NODE_QUOTA } from '../domain/sites-file.js';
import type { QuotaHeld } from '../redis/quota-store.js';

export const DEFAULT_NODE_QUOTA_REFRESH_MS = 60_000;
const NO_ROOM = 0;

export interface QuotaHeldReader {
  held(region: string): Promise<QuotaHeld>;
}

/** What admission asks: the limit for the Region's `used` counter (null = unlimited). */
export interface NodeQuotaLimits {
  limit(region: string): Promise<number | null>;
}

export interface NodeQuotaStatus {
  readonly region: string;
  /** `sites-file`: the configured nodeQuota; `account`: the Region's activation tier and nodes */
  readonly source: 'sites-file' | 'account';
  /** the account's tier; null for a configured quota or before the first reading */
  readonly tier: ActivationTier | null;
  /** managed nodes the Region takes in all (null = unlimited) */
  readonly quota: number | null;
  /** managed nodes in the Region at the reading (account source, standard tier) */
  readonly accountNodes: number | null;
  /** room left for new batches at the reading (null = unlimited) */
  readonly room: number | null;
  /** ISO time of the reading */
  readonly readAt: string | null;
  /** why the last reading failed (the previous one, if any, is still used) */
  readonly error: string | null;
}

interface Reading {
  readonly tier: ActivationTier;
  readonly limit: number | null;
  readonly accountNodes: number | null;
  readonly room: number | null;
  readonly at: number;
}

export interface NodeQuotaDeps {
  readonly sites: SitesConfig;
  readonly account: SsmAccount;
  readonly held: QuotaHeldReader;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** a reading older than this is read again before use (default 60 s) */
  readonly refreshEveryMs?: number;
  readonly now?: () => number;
}

export class NodeQuotaService implements NodeQuotaLimits {
  private readonly readings = new Map<string, Reading>();
  private readonly errors = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<Reading>>();
  private readonly now: () => number;
  readonly refreshEveryMs: number;

  constructor(private readonly deps: NodeQuotaDeps) {
    this.now = deps.now ?? Date.now;
    this.refreshEveryMs = deps.refreshEveryMs ?? DEFAULT_NODE_QUOTA_REFRESH_MS;
  }

  /** Regions of configured sites whose quota comes from the account. */
  accountRegions(): string[] {
    const regions = new Set([...this.deps.sites.sites.values()].map((s) => s.region));
    return [...regions].filter((r) => nodeQuotaSetting(this.deps.sites, r) === 'account').sort();
  }

  async limit(region: string): Promise<number | null> {
    const setting = nodeQuotaSetting(this.deps.sites, region);
    if (setting !== 'account') return setting;
    const last = this.readings.get(region);
    if (last !== undefined && this.now() - last.at < this.refreshEveryMs) return last.limit;
    try {
      return (await this.read(region)).limit;
    } catch {
      // never more room than known: without any reading, no room (batches wait `blocked: quota`, status says why)
      return last !== undefined ? last.limit : NO_ROOM;
    }
  }

  /** Reads every account Region again; failures are logged and kept for status, never thrown. */
  async refresh(): Promise<void> {
    await Promise.all(this.accountRegions().map((r) => this.read(r).catch(() => undefined)));
  }

  status(region: string): NodeQuotaStatus {
    const setting = nodeQuotaSetting(this.deps.sites, region);
    if (setting !== 'account') {
      return { region, source: 'sites-file', tier: null, quota: setting, accountNodes: null, room: null, readAt: null, error: null };
    }
    const r = this.readings.get(region);
    return {
      region,
      source: 'account',
      tier: r?.tier ?? null,
      quota: r === undefined ? null : r.tier === 'advanced' ? null : STANDARD_TIER_NODE_QUOTA,
      accountNodes: r?.accountNodes ?? null,
      room: r?.room ?? null,
      readAt: r === undefined ? null : new Date(r.at).toISOString(),
      error: this.errors.get(region) ?? null,
    };
  }

  private read(region: string): Promise<Reading> {
    let pending = this.inFlight.get(region);
    if (pending === undefined) {
      pending = this.readOnce(region).finally(() => this.inFlight.delete(region));
      this.inFlight.set(region, pending);
    }
    return pending;
  }

  private async readOnce(region: string): Promise<Reading> {
    const previous = this.readings.get(region);
    try {
      const tier = await this.deps.account.activationTier(region);
      let reading: Reading;
      if (tier === 'advanced') {
        reading = { tier, limit: null, accountNodes: null, room: null, at: this.now() };
      } else {
        // ours first, nodes after: a registration in between then counts twice (no room handed out twice)
        const held = await this.deps.held.held(region);
        const registeredByUs = Math.max(0, held.used - held.pending);
        const nodes = await this.deps.account.countManagedNodes(region, STANDARD_TIER_NODE_QUOTA + registeredByUs);
        const limit = Math.max(0, STANDARD_TIER_NODE_QUOTA - nodes + registeredByUs);
        reading = { tier, limit, accountNodes: nodes, room: Math.max(0, STANDARD_TIER_NODE_QUOTA - nodes - held.pending), at: this.now() };
      }
      this.readings.set(region, reading);
      this.errors.delete(region);
      this.deps.metrics?.nodeQuotaRoom.set({ region }, reading.room ?? -1);
      if (previous?.tier !== reading.tier || previous?.room !== reading.room) {
        this.deps.logger.info({ region, tier: reading.tier, accountNodes: reading.accountNodes, room: reading.room }, 'node quota read from the account');
      }
      return reading;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.errors.set(region, message);
      this.deps.logger.warn({ region, err: message, keeping: previous ? 'last reading' : 'none yet' }, 'node quota: reading the account failed');
      throw err;
    }
  }
}
