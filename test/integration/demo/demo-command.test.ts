/**
 * `fleet-enroll demo` as a user runs it: a child process, its last stdout line the JSON summary.
 * It brings its own emulator and embedded broker and uses the shared Redis under a prefix of its own.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(args: readonly string[]): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/fleet-enroll.js', 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

interface Summary {
  [field: string]: unknown;
  activations: number;
  minimumActivations: number;
  throttles: number;
  latencyMs: Record<'credentials' | 'registered', Percentiles>;
  details: { workerRestarts: number; liveActivationsLeft: number; faultsInjected: { throttled: number; errors: number; droppedAnswers: number }; acks: unknown };
}

function summaryOf(run: DemoRun): Summary {
  const last = run.stdout.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Summary;
}

const FIELDS = ['devices', 'sites', 'registered', 'failed', 'activations', 'minimumActivations', 'createActivationCalls', 'retries', 'throttles', 'durationMs', 'devicesPerSecond', 'latencyMs'];

describe('fleet-enroll demo', () => {
  it('enrolls 300 devices over 3 sites with the minimum activations and reports it as JSON', async () => {
    const run = await runDemo(['--devices', '300', '--sites', '3', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = summaryOf(run);
    for (const field of FIELDS) expect(s).toHaveProperty(field);
    expect(s).toMatchObject({ devices: 300, sites: 3, registered: 300, failed: 0, throttles: 0, retries: 0 });
    expect(s.activations).toBe(s.minimumActivations);
    expect(s.minimumActivations).toBe(3);
    expect(s.createActivationCalls).toBe(3);
    expect(s.details).toMatchObject({ liveActivationsLeft: 0, retainedMessagesLeft: 0, timedOut: false });
    // every device acked once over MQTT and the ack role accepted each ack (repeats would answer a redelivery)
    expect(s.details).toMatchObject({ acks: { published: { first: 300 }, received: { accepted: 300 } } });
    for (const kind of ['credentials', 'registered'] as const) {
      const p = s.latencyMs[kind];
      expect(p.p50).toBeGreaterThan(0);
      expect(p.p50).toBeLessThanOrEqual(p.p95);
      expect(p.p95).toBeLessThanOrEqual(p.p99);
    }
    // the table is there for people, before the JSON line
    expect(run.stdout).toMatch(/activations created\s+3 \(minimum 3\)/);
    expect(run.stdout).toContain('every device registered.');
  });

  it('with --chaos still registers every device, through faults and a restart of the workers', async () => {
    const run = await runDemo(['--devices', '300', '--sites', '3', '--chaos', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = summaryOf(run);
    expect(s).toMatchObject({ devices: 300, registered: 300, failed: 0 });
    expect(s.details.workerRestarts).toBe(1);
    const f = s.details.faultsInjected;
    expect(f.throttled + f.errors + f.droppedAnswers).toBeGreaterThan(0);
    // lost answers cost extra activations (orphans, deleted), never fewer than the minimum; each came from a call
    expect(s.activations).toBeGreaterThanOrEqual(s.minimumActivations);
    expect(s.createActivationCalls).toBeGreaterThanOrEqual(s.activations);
    expect(s.details.liveActivationsLeft).toBe(0);
  });

  it('refuses a bad flag with one line and exit code 2', async () => {
    const run = await runDemo(['--devices', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--devices');
  });
});
