/**
 * One `fleet-enroll <command>` child process (the real bin, through tsx like an installed package), its
 * stdout and stderr appended to a log file so every line it ever wrote can be searched afterwards.
 * Restartable: `start()` again after a kill spawns a new process with the same arguments and log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/fleet-enroll.js', import.meta.url));

export interface FleetProcessOptions {
  /** a name for reports, e.g. the role */
  readonly name: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
  /** stderr/stdout text that says the process is up */
  readonly readyWhen: RegExp;
  readonly startTimeoutMs?: number;
}

export class FleetProcess {
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  /** how many times it was started */
  starts = 0;

  constructor(readonly options: FleetProcessOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the process and resolves once it printed its ready line; rejects if it exits first. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts++;
    this.log.write(`\n### chaos: start #${this.starts} of ${this.name} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [BIN, ...this.options.args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`${this.name} did not get ready within ${this.options.startTimeoutMs ?? 30_000} ms`)), this.options.startTimeoutMs ?? 30_000);
      const onData = (chunk: Buffer): void => {
        this.log.write(chunk);
        if (seen.length < 10_000) seen += chunk.toString('utf8');
        if (this.options.readyWhen.test(seen)) done();
      };
      const onExit = (code: number | null, signal: string | null): void => fail(new Error(`${this.name} exited (${code ?? signal}) before it was ready: ${seen.slice(-500)}`));
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('exit', onExit);
      };
      const done = (): void => {
        cleanup();
        resolve();
      };
      const fail = (err: Error): void => {
        cleanup();
        child.kill('SIGKILL');
        reject(err);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
    });
  }

  /** Sends a signal and resolves with how the process ended (or undefined if it outlived `timeoutMs`). */
  async signal(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
    this.log.write(`\n### chaos: ${signal} to ${this.name} (pid ${child.pid}) at ${new Date().toISOString()}\n`);
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    return result;
  }

  /** SIGKILL: a crash at whatever moment this is */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM, then SIGKILL if it does not end within the grace period */
  async stop(graceMs = 20_000): Promise<void> {
    if ((await this.signal('SIGTERM', graceMs)) === undefined) await this.kill();
  }

  async closeLog(): Promise<void> {
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}
