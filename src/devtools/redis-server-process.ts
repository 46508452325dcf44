/**
 * A private `redis-server` child process on a free loopback port: the demo's fallback when REDIS_URL does
 * not answer, and the Redis that crash tests restart (with AOF) without touching the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  /** fixed port (e.g. to restart on the same one); default: a free one */
  readonly port?: number;
  /** data directory; default: a fresh temporary one, removed by stop() */
  readonly dir?: string;
  /** AOF with appendfsync everysec, as in production */
  readonly appendOnly?: boolean;
  readonly binary?: string;
  /** more redis-server arguments (cluster mode, replicaof …) */
  readonly extraArgs?: readonly string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** true when something accepts TCP connections and answers PING at host:port within the timeout */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    // +PONG, or -NOAUTH… from a server that wants a password: either way a Redis is there
    socket.on('data', (chunk) => done(/^[+-]/.test(chunk.toString())));
  });
}

export class RedisServerProcess {
  private child: ChildProcess | undefined;
  private readonly ownsDir: boolean;
  readonly dir: string;
  port: number;

  private constructor(private readonly options: RedisServerOptions, port: number) {
    this.port = port;
    this.ownsDir = options.dir === undefined;
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'fleet-redis-'));
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(options, options.port ?? (await freePort()));
    await server.spawn();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async spawn(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    args.push('--maxmemory-policy', 'noeviction');
    if (this.options.appendOnly) args.push('--appendonly', 'yes', '--appendfsync', 'everysec');
    else args.push('--appendonly', 'no');
    args.push(...(this.options.extraArgs ?? []));
    const child = spawn(this.options.binary ?? 'redis-server', args, { stdio: 'ignore' });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve());
    });
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(this.url, 200))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: what a crash looks like; keeps the data directory for a restart */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** start again on the same port and directory (AOF replays what was fsynced) */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn();
  }

  /** stop and remove the data directory if it was ours */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
