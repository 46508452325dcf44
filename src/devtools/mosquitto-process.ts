/**
 * A private Mosquitto child process on a free loopback port, for benchmarks and tests that want a real
 * broker without touching the shared one: no persistence, $SYS every second, and Mosquitto's default
 * per-client limits (max_inflight_messages 20, max_queued_messages 1,000), so that it drops what a slow
 * subscriber cannot take, as a real broker does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server-process.js';

export const MOSQUITTO_BINARY = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** fixed port; default: a free one */
  readonly port?: number;
  readonly binary?: string;
  /** seconds between $SYS updates (default 1) */
  readonly sysIntervalSeconds?: number;
  /** more mosquitto.conf lines (e.g. a limit to try) */
  readonly extraConfig?: readonly string[];
}

/** the config file's text: only what differs from Mosquitto's defaults */
export function mosquittoConfig(port: number, sysIntervalSeconds = 1, extra: readonly string[] = []): string {
  return [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', `sys_interval ${sysIntervalSeconds}`, ...extra, ''].join('\n');
}

/** true once something accepts TCP connections at 127.0.0.1:port */
function accepts(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => done(true));
  });
}

export class MosquittoProcess {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'fleet-mosquitto-'));
  /** the end of its log, for the error when it does not start */
  private log = '';

  private constructor(
    private readonly options: MosquittoOptions,
    readonly port: number,
  ) {}

  static async start(options: MosquittoOptions = {}): Promise<MosquittoProcess> {
    const broker = new MosquittoProcess(options, options.port ?? (await freePort()));
    try {
      await broker.spawn();
    } catch (err) {
      await broker.stop();
      throw err;
    }
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async spawn(): Promise<void> {
    const file = join(this.dir, 'mosquitto.conf');
    // read before Mosquitto (started as root) drops to its own user: the private directory is no obstacle
    writeFileSync(file, mosquittoConfig(this.port, this.options.sysIntervalSeconds, this.options.extraConfig));
    const child = spawn(this.options.binary ?? MOSQUITTO_BINARY, ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (this.log = (this.log + chunk).slice(-2000)));
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve());
    });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port, 200))) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with code ${child.exitCode}: ${this.log.trim()}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on port ${this.port}: ${this.log.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, wait for the exit, remove the config directory */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
