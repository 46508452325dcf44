/**
 * The invariants checked at the end of a run against what the processes left behind: every posted device's
 * record in Redis, the emulator's count of live activations per batch (the most ever live at once, kept by
 * the emulator at every create), its live activations and retained messages, Mosquitto's retained messages,
 * and every activation code the emulator ever issued (orphans and lost answers too), in its common encodings,
 * searched for in every log file, the Redis AOF (rewrites off: every write ever made) and Redis dumps (taken
 * at the end and mid-run).
 */
import type { DeviceState } from '../../../src/domain/device-state.js';
import { retainedLeft } from '../../integration/pipeline/support/credentials-observer.js';
import type { FleetCluster } from './fleet-cluster.js';
import { describeLeaks, findSecrets } from '../../support/secret-search.js';
import { MOSQUITTO_URL } from './fleet-cluster.js';

export interface InvariantReport {
  readonly devices: number;
  readonly byState: Partial<Record<DeviceState | 'missing', number>>;
  /** posted (and answered 202) but no record in Redis */
  readonly lost: string[];
  /** neither registered nor failed */
  readonly stuck: string[];
  /** failed devices with their reasons (reason → count) */
  readonly failedReasons: Record<string, number>;
  /** batches that had two or more live activations at once */
  readonly twoLive: [string, number][];
  readonly liveActivationsLeft: number;
  readonly retainedLeftEmulator: number;
  readonly retainedLeftBroker: number;
  /** codes the emulator issued, all of them searched */
  readonly codesIssued: number;
  /** codes devices received over MQTT */
  readonly codesDelivered: number;
  /** AOF rewrites since Redis last started: 0, or the AOF no longer holds every write */
  readonly aofRewrites: number;
  /** "file: n codes" for every place a code was found */
  readonly codeLeaks: string[];
  readonly placesSearched: number;
}

export async function checkInvariants(
  cluster: FleetCluster,
  deviceIds: readonly string[],
  midRunDumps: readonly string[],
): Promise<InvariantReport> {
  const states = await cluster.deviceStates(deviceIds);
  const byState: Partial<Record<DeviceState | 'missing', number>> = {};
  const lost: string[] = [];
  const stuck: string[] = [];
  const failedReasons: Record<string, number> = {};
  for (const [id, { state, error }] of states) {
    const key = state ?? 'missing';
    byState[key] = (byState[key] ?? 0) + 1;
    if (state === null) lost.push(id);
    else if (state === 'failed') failedReasons[error ?? '(no reason)'] = (failedReasons[error ?? '(no reason)'] ?? 0) + 1;
    else if (state !== 'registered') stuck.push(id);
  }
  const emulator = await cluster.emulatorState();
  const broker = await retainedLeft(MOSQUITTO_URL, cluster.topics.credentials);

  const codes = await cluster.issuedCodes();
  const places = [
    ...cluster.persistedText(),
    { file: 'redis dump at the end', text: await cluster.redisDump() },
    ...midRunDumps.map((text, i) => ({ file: `redis dump mid-run #${i + 1}`, text })),
  ];
  const codeLeaks = describeLeaks(findSecrets(codes, places.map(({ file, text }) => ({ where: file, text }))));
  return {
    devices: deviceIds.length,
    byState,
    lost,
    stuck,
    failedReasons,
    twoLive: Object.entries(emulator.activations.maxLiveByName).filter(([, n]) => n > 1),
    liveActivationsLeft: emulator.activations.live,
    retainedLeftEmulator: emulator.retainedMessages,
    retainedLeftBroker: broker.length,
    codesIssued: codes.length,
    codesDelivered: cluster.observer.codes.size,
    aofRewrites: await cluster.aofRewrites(),
    codeLeaks,
    placesSearched: places.length,
  };
}
