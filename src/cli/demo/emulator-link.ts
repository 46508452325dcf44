/**
 * The emulator as the enrollment run sees it: in this process (`startEmulator`), or as a child process
 * (`fleet-enroll emulator`) so that its HTTP, SigV4 and MQTT work runs outside the orchestrator's process
 * (the benchmarks measure the orchestrator's own CPU and memory that way).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator, type EmulatorState, type FaultConfig } from '../../emulator/index.js';

export interface EmulatorLink {
  readonly url: string;
  readonly mqttUrl: string;
  readonly env: Readonly<Record<string, string>>;
  /** what GET /emulator/state answers */
  state(): Promise<EmulatorState>;
  /** the process id running it (this one when in-process) */
  readonly pid: number;
  close(): Promise<void>;
}

export interface EmulatorLinkOptions {
  readonly faults: FaultConfig;
  /** run it in a child process of its own */
  readonly child?: boolean;
  /** an external broker instead of the embedded one */
  readonly mqttUrl?: string;
}

const BIN = fileURLToPath(new URL('../../../bin/fleet-enroll.js', import.meta.url));

export async function startEmulatorLink(options: EmulatorLinkOptions): Promise<EmulatorLink> {
  if (!options.child) {
    const emulator = await startEmulator({ nodeQuota: 'unlimited', faults: options.faults, ...(options.mqttUrl ? { mqttUrl: options.mqttUrl } : {}) });
    return {
      url: emulator.url,
      mqttUrl: emulator.mqttUrl,
      env: emulator.env,
      pid: process.pid,
      state: async () => emulator.state,
      close: () => emulator.close(),
    };
  }
  const args = [BIN, 'emulator', '--port', '0', '--node-quota', 'unlimited', '--faults', JSON.stringify(options.faults)];
  if (options.mqttUrl) args.push('--mqtt-url', options.mqttUrl);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = await readStartBanner(child);
  return {
    ...started,
    pid: child.pid!,
    state: async () => {
      const res = await fetch(`${started.url}/emulator/state`);
      if (!res.ok) throw new Error(`GET /emulator/state answered ${res.status}`);
      return (await res.json()) as EmulatorState;
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `fleet-enroll emulator` prints its URL, its broker and the variables to export, then runs. */
function readStartBanner(child: ChildProcess): Promise<{ url: string; mqttUrl: string; env: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const env: Record<string, string> = {};
    const onExit = (code: number | null): void => reject(new Error(`emulator process exited (${code}) before it started: ${text.slice(0, 300)}`));
    child.once('exit', onExit);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      text += chunk;
      const banner = /listening on (\S+) \(MQTT broker (\S+?)[,)]/.exec(text);
      for (const m of text.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
      if (banner && /^export AWS_REGION=.*\n/m.test(text)) {
        child.off('exit', onExit);
        resolve({ url: banner[1]!, mqttUrl: banner[2]!, env });
      }
    });
  });
}
