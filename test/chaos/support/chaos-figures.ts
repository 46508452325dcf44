/** The figures a chaos run prints (and docs/RELIABILITY.md quotes). */
import type { SimulatorCounters } from '../../../src/device/simulator/index.js';
import type { InvariantReport } from './invariant-report.js';

export interface ChaosFigures {
  readonly command: string;
  readonly seed: number;
  readonly devices: number;
  readonly sites: number;
  readonly roleProcesses: number;
  /** role → SIGKILLs survived */
  readonly killsSurvived: Record<string, number>;
  readonly redisRestarts: number;
  /** read-after-write delay the emulator applied to the SSM reads */
  readonly consistencyDelayMs: number;
  /** per operation: calls and what the emulator's faults did to them */
  readonly faultsInjected: Record<string, { calls: number; throttled: number; errors: number; droppedAnswers: number }>;
  readonly activationsCreated: number;
  readonly minimumActivations: number;
  readonly report: InvariantReport;
  /** first post → every device registered or failed */
  readonly durationMs: number;
  /** last kill / Redis restart → every device registered or failed (null: did not drain) */
  readonly drainAfterLastFaultMs: number | null;
  readonly simulator: Readonly<SimulatorCounters> | null;
}

export function formatFigures(f: ChaosFigures): string {
  const r = f.report;
  const kills = Object.values(f.killsSurvived).reduce((a, b) => a + b, 0);
  const rows: [string, string][] = [
    ['command', `${f.command} (seed ${f.seed})`],
    ['devices / sites / role processes', `${f.devices} / ${f.sites} / ${f.roleProcesses}`],
    ['kills survived (SIGKILL + restart)', `${kills}: ${Object.entries(f.killsSurvived).map(([k, v]) => `${k} ${v}`).join(', ')}`],
    ['Redis restarts (SIGKILL, AOF everysec)', String(f.redisRestarts)],
    ['SSM read-after-write delay', `${f.consistencyDelayMs} ms`],
    ...Object.entries(f.faultsInjected).map(([op, c]): [string, string] => [
      `faults ${op}`,
      `${c.calls} calls: ${c.throttled} throttled, ${c.errors} errors, ${c.droppedAnswers} answers dropped`,
    ]),
    ['activations created / minimum', `${f.activationsCreated} / ${f.minimumActivations}`],
    ['devices by state', JSON.stringify(r.byState)],
    ['devices lost (must be 0)', String(r.lost.length)],
    ['devices stuck (must be 0)', String(r.stuck.length)],
    ['failed, by reason', Object.keys(r.failedReasons).length === 0 ? 'none' : JSON.stringify(r.failedReasons)],
    ['batches with 2 live activations (must be 0)', `${r.twoLive.length} (counted by the emulator at every create)`],
    ['orphan activations left (must be 0)', String(r.liveActivationsLeft)],
    ['retained credentials left: emulator / broker (must be 0)', `${r.retainedLeftEmulator} / ${r.retainedLeftBroker}`],
    ['activation codes leaked (must be none)', `${r.codeLeaks.length === 0 ? 'none' : r.codeLeaks.join('; ')} (${r.codesIssued} codes issued, ${r.codesDelivered} delivered, all searched in ${r.placesSearched} logs/AOF/dumps with their encodings)`],
    ['time: first post → drained', `${(f.durationMs / 1000).toFixed(1)} s`],
    ['time to drain after the last kill', f.drainAfterLastFaultMs === null ? 'did not drain' : `${(f.drainAfterLastFaultMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return ['', '== chaos run figures ==', ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), ''].join('\n');
}
