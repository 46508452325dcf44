/** Shared bits of the device integration tests: a topic recorder on the real broker, polling, child processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { testScope } from '../../support/test-run.js';

export const MQTT_URL = 'mqtt://127.0.0.1:1883';
export const REPO = new URL('../../../', import.meta.url).pathname;

export function uniqueId(prefix: string): string {
  return testScope(prefix);
}

/** Waits for `check` to return a value other than undefined/false; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every message on a filter, as parsed JSON (empty payloads as null). */
export class TopicRecorder {
  readonly messages: { topic: string; body: Record<string, unknown> | null }[] = [];

  private constructor(readonly client: MqttClient) {}

  static async start(filter: string): Promise<TopicRecorder> {
    const client = await mqtt.connectAsync(MQTT_URL, { clientId: uniqueId('rec') });
    const recorder = new TopicRecorder(client);
    client.on('message', (topic, payload) => {
      recorder.messages.push({ topic, body: payload.length ? (JSON.parse(payload.toString()) as Record<string, unknown>) : null });
    });
    await client.subscribeAsync(filter, { qos: 1 });
    return recorder;
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

export interface Child {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

export function runCli(args: readonly string[]): Child {
  const proc = spawn(process.execPath, ['bin/fleet-enroll.js', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = {
    process: proc,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))),
  };
  proc.stdout.on('data', (c: Buffer) => (child.stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (child.stderr += c.toString()));
  return child;
}
