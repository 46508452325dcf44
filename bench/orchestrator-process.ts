/** Forks bench/orchestrator-child.ts and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import type { OrchestratorChildMessage, OrchestratorChildStart } from './orchestrator-child.js';

const CHILD = new URL('./orchestrator-child.ts', import.meta.url);

export class OrchestratorProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string | undefined,
  ) {}

  static async start(options: Omit<OrchestratorChildStart, 'type'>, cpuProfileDir?: string): Promise<OrchestratorProcess> {
    const execArgv = ['--import', 'tsx', ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])];
    const child = fork(CHILD, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const url = await new Promise<string | undefined>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`orchestrator process exited (${code}) before it was ready`)));
      child.on('message', (m: OrchestratorChildMessage) => {
        if (m.type === 'ready') resolve(m.url);
        else if (m.type === 'failed') reject(new Error(`orchestrator process failed to start: ${m.error}`));
      });
      child.send({ type: 'start', ...options } satisfies OrchestratorChildStart);
    });
    return new OrchestratorProcess(child, url);
  }

  usage(): Promise<{ rssBytes: number; cpuSeconds: number }> {
    return new Promise((resolve) => {
      const on = (m: OrchestratorChildMessage): void => {
        if (m.type !== 'usage') return;
        this.child.off('message', on);
        resolve({ rssBytes: m.rssBytes, cpuSeconds: m.cpuSeconds });
      };
      this.child.on('message', on);
      this.child.send({ type: 'usage' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' });
    await exited;
  }
}
