/** What `GET /emulator/state` answers: counts per operation and what the emulator holds. */
import type { FaultConfig } from './fault-config.js';
import type { OperationCounts } from './operation-stats.js';

export interface LiveActivationSummary {
  readonly activationId: string;
  readonly region: string;
  readonly defaultInstanceName: string;
  readonly registrationLimit: number;
  readonly registrationsCount: number;
  readonly expired: boolean;
}

export interface EmulatorState {
  /** `service.Operation` → calls (authenticated), throttled and failed (injected), dropped answers, rejected (4xx from the work) */
  readonly operations: Record<string, OperationCounts>;
  /** requests refused for a missing, unknown or bad signature */
  readonly authFailures: number;
  readonly activations: {
    readonly live: number;
    readonly created: number;
    readonly list: readonly LiveActivationSummary[];
    /** DefaultInstanceName (one per batch) → the most unexpired activations it ever had live at once */
    readonly maxLiveByName: Readonly<Record<string, number>>;
  };
  readonly nodes: { readonly registered: number; readonly live: number; readonly liveByRegion: Record<string, number> };
  /** `--node-quota`, or what the default tier allows (1,000 standard, 'unlimited' advanced) */
  readonly nodeQuota: number | 'unlimited';
  /** the activation tier of each Region that has activations */
  readonly tiers: Record<string, string>;
  readonly topicRuleDestinations: { readonly total: number; readonly enabled: number };
  readonly retainedMessages: number;
  readonly things: number;
  readonly faults: FaultConfig;
}
