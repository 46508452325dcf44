/** /readyz: Redis answers and AWS (SSM) answers an authenticated call, each within a short time. */
import type { RedisConnection } from '../redis/redis-connection.js';
import type { ReadinessReport } from './views.js';
import type { SsmActivations } from '../adapters/ssm-activations.js';

const TIMEOUT_MS = 3_000;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class ReadinessService {
  constructor(
    private readonly redis: RedisConnection,
    private readonly ssm: SsmActivations,
    private readonly region: string,
  ) {}

  async check(): Promise<ReadinessReport> {
    const problems: string[] = [];
    const redis = await within(this.redis.ping(), TIMEOUT_MS, 'Redis')
      .then(() => true)
      .catch((e: unknown) => (problems.push(`redis: ${e instanceof Error ? e.message : String(e)}`), false));
    const aws = await within(this.ssm.ping(this.region), TIMEOUT_MS, 'SSM')
      .then(() => true)
      .catch((e: unknown) => (problems.push(`aws: ${e instanceof Error ? e.message : String(e)}`), false));
    return problems.length > 0 ? { redis, aws, detail: problems.join('; ') } : { redis, aws };
  }
}
