/**
 * AWS IoT keeps a message at most 604,800 s (7 days), whatever expiry it was published with, while an
 * activation may live 30 days. A device that comes online late still finds its credentials only if they
 * were published again before the retained message lapsed: a batch's are republished once half the cap
 * has passed since their last publish (and the activation is still good).
 */
import { AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS } from '../domain/aws-iot-limits.js';

/** Is it time to republish a batch's retained credentials (last published at `publishedAt`)? */
export function retainedRefreshDue(publishedAt: number, expiresAt: number | null, now: number, capSeconds = AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS): boolean {
  if (expiresAt === null || expiresAt <= now) return false;
  // a message that lapses with the activation needs no refresh
  if (expiresAt - publishedAt <= capSeconds * 1000) return false;
  return now - publishedAt >= (capSeconds * 1000) / 2;
}
