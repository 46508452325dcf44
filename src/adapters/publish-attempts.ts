/**
 * How both IoT publishers (HTTPS and MQTT) try a publish: three attempts, as the SDK's client would make, with
 * full-jitter backoff between them on throttling and transient errors; a permanent error, or the last attempt's,
 * is raised as the AwsCallError of `Publish`. Each attempt counts itself (countedAwsCall).
 */
import { toAwsCallError } from '../domain/aws-error.js';
import { fullJitterBackoff } from '../domain/backoff.js';

const ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2_000;

export async function publishWithAttempts(attempt: () => Promise<unknown>): Promise<void> {
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return;
    } catch (err) {
      const e = toAwsCallError('Publish', err);
      if (e.permanent || n >= ATTEMPTS) throw e;
      await new Promise((r) => setTimeout(r, fullJitterBackoff(n - 1, RETRY_BASE_MS, RETRY_MAX_MS)));
    }
  }
}
