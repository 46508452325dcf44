/**
 * A private Redis Cluster for tests: `masters` redis-server processes with `--cluster-enabled yes` (and
 * `replicasPerMaster` replicas each) on free ports in temporary directories, joined with
 * `redis-cli --cluster create … --cluster-yes`. stop() ends them all and removes their directories.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, RedisServerProcess } from '../../src/devtools/redis-server-process.js';

const run = promisify(execFile);

function nodeDir(parent: string, i: number): string {
  const dir = join(parent, `node-${i}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface ClusterNodeInfo {
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  readonly masterId: string | undefined;
  readonly slots: readonly [number, number][];
  readonly failed: boolean;
}

export class RedisClusterProcess {
  /** a test worker that exits without stop() (a hook timeout) must not leave redis-servers behind */
  private readonly onExit = (): void => {
    for (const n of this.nodes) {
      try {
        if (n.pid !== undefined) process.kill(n.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  private constructor(readonly nodes: RedisServerProcess[]) {
    process.once('exit', this.onExit);
  }

  static async start(
    options: { masters?: number; replicasPerMaster?: number; appendOnly?: boolean; nodeTimeoutMs?: number; dir?: string } = {},
  ): Promise<RedisClusterProcess> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 0;
    const nodes: RedisServerProcess[] = [];
    try {
      for (let i = 0; i < masters * (1 + replicas); i++) {
        // the cluster bus port would be port + 10000, which may be taken or past 65535: ask for one as well
        const busPort = await freePort();
        nodes.push(
          await RedisServerProcess.start({
            appendOnly: options.appendOnly ?? false,
            ...(options.dir ? { dir: nodeDir(options.dir, i) } : {}),
            extraArgs: [
              '--cluster-enabled', 'yes',
              '--cluster-config-file', 'nodes.conf',
              '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2_000),
              '--cluster-port', String(busPort),
              // a replica promoted after its master's SIGKILL must not wait for a quorum of data age
              '--cluster-replica-validity-factor', '0',
            ],
          }),
        );
      }
      const cluster = new RedisClusterProcess(nodes);
      await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 });
      await cluster.waitHealthy(30_000);
      return cluster;
    } catch (err) {
      await Promise.all(nodes.map((n) => n.stop()));
      throw err;
    }
  }

  /** REDIS_CLUSTER_NODES: every node as a seed */
  get seeds(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  node(port: number): RedisServerProcess {
    const n = this.nodes.find((x) => x.port === port);
    if (!n) throw new Error(`no node on port ${port}`);
    return n;
  }

  /** CLUSTER NODES as seen from a live node */
  async topology(): Promise<ClusterNodeInfo[]> {
    for (const n of this.nodes) {
      const redis = new Redis(n.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await redis.connect();
        const text = (await redis.call('CLUSTER', 'NODES')) as string;
        return text
          .trim()
          .split('\n')
          .map((line) => {
            const f = line.split(' ');
            const flags = f[2]!.split(',');
            const slots = f.slice(8).filter((s) => /^\d/.test(s)).map((s): [number, number] => {
              const [a, b] = s.split('-').map(Number);
              return [a!, b ?? a!];
            });
            return {
              id: f[0]!,
              port: Number(f[1]!.split(':')[1]!.split('@')[0]),
              role: flags.includes('master') ? ('master' as const) : ('replica' as const),
              masterId: f[3] === '-' ? undefined : f[3],
              slots,
              failed: flags.includes('fail') || flags.includes('fail?'),
            };
          });
      } catch {
        continue;
      } finally {
        redis.disconnect();
      }
    }
    throw new Error('no cluster node answers');
  }

  /** the master serving `slot`, and its replicas */
  async ownerOf(slot: number): Promise<{ master: ClusterNodeInfo; replicas: ClusterNodeInfo[] }> {
    const nodes = await this.topology();
    const master = nodes.find((n) => n.role === 'master' && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return { master, replicas: nodes.filter((n) => n.masterId === master.id) };
  }

  async keySlot(key: string): Promise<number> {
    const redis = new Redis(this.nodes[0]!.url);
    try {
      return Number(await redis.call('CLUSTER', 'KEYSLOT', key));
    } finally {
      redis.disconnect();
    }
  }

  /** every live node says cluster_state:ok */
  async waitHealthy(timeoutMs: number, skip: readonly number[] = []): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      let ok = true;
      for (const n of this.nodes) {
        if (skip.includes(n.port)) continue;
        const redis = new Redis(n.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
          await redis.connect();
          const info = (await redis.call('CLUSTER', 'INFO')) as string;
          if (!/cluster_state:ok/.test(info)) ok = false;
          // a replica counts once its link to the master is up (initial sync done)
          const replication = await redis.info('replication');
          if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) ok = false;
        } catch {
          ok = false;
        } finally {
          redis.disconnect();
        }
      }
      if (ok) return;
      if (Date.now() > until) throw new Error('cluster not healthy in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** calls and server CPU µs per command, summed over the masters (INFO commandstats) */
  async commandCalls(): Promise<Map<string, { calls: number; usec: number }>> {
    const total = new Map<string, { calls: number; usec: number }>();
    for (const n of await this.topology()) {
      if (n.role !== 'master') continue;
      const redis = new Redis(this.node(n.port).url);
      try {
        const text = (await redis.info('commandstats')) as string;
        for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
          const t = total.get(m[1]!) ?? { calls: 0, usec: 0 };
          total.set(m[1]!, { calls: t.calls + Number(m[2]), usec: t.usec + Number(m[3]) });
        }
      } finally {
        redis.disconnect();
      }
    }
    return total;
  }

  /** CPU seconds (user + sys) each node's process has used, by port (INFO cpu) */
  async cpuSeconds(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const n of this.nodes) {
      const redis = new Redis(n.url);
      try {
        const text = (await redis.info('cpu')) as string;
        const field = (k: string): number => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
        out.set(n.port, field('used_cpu_user') + field('used_cpu_sys'));
      } finally {
        redis.disconnect();
      }
    }
    return out;
  }

  /** stops every node (directories passed in by the caller are the caller's to remove) */
  async stop(): Promise<void> {
    process.off('exit', this.onExit);
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
