/**
 * `adaptive`: does the global limiter find the account's real rate? The emulator (own process) caps
 * DescribeInstanceInformation at --adaptive-cap TPS (default 20) while fleet-enroll's SSM budget ceiling is
 * ten times that; 32 callers keep calling through the real adapter (SdkSsmActivations → RedisRateLimiter →
 * the unmodified SDK over HTTP) for --adaptive-seconds. Reports the rate the bucket settled at, successes/s
 * and the share of calls throttled.
 */
import { Redis } from 'ioredis';
import { AwsClients } from '../../src/adapters/aws-clients.js';
import { Metrics } from '../../src/adapters/metrics.js';
import { RedisRateLimiter } from '../../src/adapters/rate-limiter.js';
import { SdkSsmActivations, SSM_BUCKET } from '../../src/adapters/ssm-activations.js';
import { startEmulatorLink } from '../../src/cli/demo/emulator-link.js';
import { AwsCallError } from '../../src/domain/errors.js';
import type { BenchOptions } from '../bench-options.js';
import type { ScenarioResult } from '../result-file.js';

const CALLERS = 32;
const ACTIVATION = '00000000-0000-4000-8000-000000000000';

export async function adaptiveScenario(options: BenchOptions, redisUrl: string): Promise<ScenarioResult> {
  const cap = options.adaptiveCap;
  const ceiling = cap * 10;
  const seconds = options.adaptiveSeconds;
  const emulator = await startEmulatorLink({ faults: { 'ssm.DescribeInstanceInformation': { tps: cap } }, child: true });
  const saved = { ...process.env };
  Object.assign(process.env, emulator.env);
  const redis = new Redis(redisUrl);
  const prefix = `{bench-adaptive-${Date.now().toString(36)}}`;
  const limiter = new RedisRateLimiter(redis, (b) => `${prefix}:rl:${b}`, { [SSM_BUCKET]: { perSecond: ceiling } });
  const clients = new AwsClients({ defaultRegion: 'us-east-1' });
  const ssm = new SdkSsmActivations(clients, limiter, new Metrics());
  const perSecond: { ok: number; throttled: number; rate: number }[] = [];
  let ok = 0;
  let throttled = 0;
  let errors = 0;
  try {
    const until = Date.now() + seconds * 1000;
    const sampler = setInterval(() => perSecond.push({ ok, throttled, rate: limiter.currentRates()[SSM_BUCKET]! }), 1000);
    const caller = async (): Promise<void> => {
      while (Date.now() < until) {
        try {
          await ssm.nodesOf('us-east-1', ACTIVATION);
          ok++;
        } catch (err) {
          if (err instanceof AwsCallError && err.throttled) throttled++;
          else errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));
    clearInterval(sampler);
  } finally {
    clients.destroy();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await emulator.close();
    for (const k of Object.keys(emulator.env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
  const calls = ok + throttled + errors;
  // the second half of the run: where it settled
  const half = perSecond.slice(Math.floor(perSecond.length / 2));
  const first = half[0] ?? { ok: 0, throttled: 0, rate: ceiling };
  const last = half.at(-1) ?? first;
  const secondsHalf = Math.max(1, half.length - 1);
  const settledOk = (last.ok - first.ok) / secondsHalf;
  const settledThrottled = (last.throttled - first.throttled) / secondsHalf;
  const rates = half.map((s) => s.rate);
  const pct = (n: number, d: number): string => `${d === 0 ? 0 : Math.round((n / d) * 1000) / 10} %`;
  const r1 = (n: number): string => String(Math.round(n * 10) / 10);
  return {
    scenario: 'adaptive',
    rows: [
      ['emulator cap / limiter ceiling', `${cap} / ${ceiling}`, `DescribeInstanceInformation TPS; ${CALLERS} callers, ${seconds} s`],
      ['calls (ok / throttled / other errors)', `${calls} (${ok} / ${throttled} / ${errors})`, ''],
      ['throttled, whole run', pct(throttled, calls), 'target < 5 %'],
      ['throttled, second half', pct(settledThrottled, settledOk + settledThrottled), ''],
      ['successes/s, second half', r1(settledOk), `the cap is ${cap}`],
      ['limiter rate, second half min / mean / max', `${r1(Math.min(...rates))} / ${r1(rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length))} / ${r1(Math.max(...rates))}`, 'calls/s the bucket granted'],
      ['limiter rate at the end', r1(last.rate), ''],
    ],
    data: { cap, ceiling, seconds, callers: CALLERS, calls, ok, throttled, errors, perSecond },
  };
}
