/** Forks src/cli/demo/roles-child.ts: some of the orchestrator's roles in a process of their own. */
import { fork, type ChildProcess } from 'node:child_process';
import { ORCHESTRATOR_NODE_FLAGS } from '../orchestrator-node-flags.js';
import type { AcksByResult } from './mqtt-acks-received.js';
import type { RolesChildMessage, RolesChildStart } from './roles-child.js';

const CHILD = new URL('./roles-child.ts', import.meta.url);

export interface RolesUsage {
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly atPeak: NodeJS.MemoryUsage;
  readonly cpuSeconds: number;
  /** acks its ack role (if it runs one) took from MQTT, by verdict */
  readonly mqttAcks: AcksByResult;
}

export class RolesProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** the API's URL when the process runs the api role */
    readonly url: string | undefined,
  ) {}

  /** `cpuProfileDir`: run it under `node --cpu-prof` (benchmarks) */
  static async start(start: Omit<RolesChildStart, 'type'>, cpuProfileDir?: string): Promise<RolesProcess> {
    const execArgv = ['--import', 'tsx', ...ORCHESTRATOR_NODE_FLAGS, ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])];
    const child = fork(CHILD, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const url = await new Promise<string | undefined>((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`roles process exited (${code}) before it was ready`));
      child.once('exit', onExit);
      child.on('message', (m: RolesChildMessage) => {
        if (m.type === 'ready') {
          child.off('exit', onExit);
          resolve(m.url);
        } else if (m.type === 'failed') reject(new Error(`roles process failed to start: ${m.error}`));
      });
      child.send({ type: 'start', ...start } satisfies RolesChildStart);
    });
    return new RolesProcess(child, url);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  usage(): Promise<RolesUsage> {
    return new Promise((resolve) => {
      const on = (m: RolesChildMessage): void => {
        if (m.type !== 'usage') return;
        this.child.off('message', on);
        resolve(m);
      };
      this.child.on('message', on);
      this.child.send({ type: 'usage' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' });
    await exited;
  }
}
