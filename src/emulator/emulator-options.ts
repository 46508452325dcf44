/** How an emulator is started (`startEmulator(options)`, `fleet-enroll emulator` flags). */
import type { FaultConfig } from './fault-config.js';
import type { Credentials } from './http/sigv4-verifier.js';
import type { RandomSource } from '../domain/random-source.js';
import type { ActivationTier } from './ssm/service-settings.js';

export interface EmulatorOptions {
  /** HTTP port; 0 or absent = a free port */
  readonly port?: number;
  /** default 127.0.0.1: it is a test double, not a service */
  readonly host?: string;
  /** an external MQTT broker (e.g. mqtt://127.0.0.1:1883); absent = embedded aedes broker */
  readonly mqttUrl?: string;
  /** port of the embedded broker; 0 or absent = a free port */
  readonly mqttPort?: number;
  /** managed nodes allowed per Region, overriding the tier's (1,000 on standard, none on advanced) */
  readonly nodeQuota?: number | 'unlimited';
  /** every Region's `/ssm/managed-instance/activation-tier` until UpdateServiceSetting changes it (default standard) */
  readonly tier?: ActivationTier;
  /** serve https with a self-signed certificate written to `tls.dir` (default a temporary directory) */
  readonly tls?: boolean | { readonly dir?: string };
  /** AWS IoT's cap on message expiry (604,800 s); shorter in tests */
  readonly maxMessageExpirySeconds?: number;
  /** faults at start (see fault-config.ts); change them later with setFaults or PUT /emulator/faults */
  readonly faults?: FaultConfig;
  /** the only credentials accepted (default AKIDFLEETEMULATOR / fleet-emulator-secret) */
  readonly credentials?: Credentials;
  /** Region printed in the exports (requests may be signed for any Region; data is kept per Region) */
  readonly region?: string;
  /** account id in ARNs */
  readonly accountId?: string;
  /** seed for fault coin flips (reproducible faults); ignored when `random` is given */
  readonly seed?: number;
  readonly random?: RandomSource;
  /** the clock for activation expiry, registration times and TPS buckets (epoch ms); SigV4 uses the real clock */
  readonly now?: () => number;
}

export const DEFAULT_CREDENTIALS: Credentials = Object.freeze({
  accessKeyId: 'AKIDFLEETEMULATOR',
  secretAccessKey: 'fleet-emulator-secret',
});
export const DEFAULT_NODE_QUOTA = 1000;
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';
