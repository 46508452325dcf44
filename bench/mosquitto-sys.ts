/**
 * Mosquitto's PUBLISH counters from its $SYS tree, and what a run added to them. Mosquitto publishes each
 * as decimal text, retained, at its $SYS tick (every sys_interval, only when changed): a value read at
 * the start of a run and one at the end give the run's share.
 */

export const SYS_COUNTER_TOPICS = {
  /** PUBLISH packets it dropped: a client's queue full (max_queued_messages), whatever the topic */
  dropped: '$SYS/broker/publish/messages/dropped',
  /** PUBLISH packets received from clients */
  received: '$SYS/broker/publish/messages/received',
  /** PUBLISH packets sent to clients, its own $SYS messages included */
  sent: '$SYS/broker/publish/messages/sent',
} as const;

/** changes on every tick (seconds since start): a message on it says a tick happened */
export const SYS_UPTIME_TOPIC = '$SYS/broker/uptime';
export const SYS_VERSION_TOPIC = '$SYS/broker/version';

export type SysCounterName = keyof typeof SYS_COUNTER_TOPICS;
export type SysCounters = Readonly<Record<SysCounterName, number>>;

export class SysValueError extends Error {
  override readonly name = 'SysValueError';
}

/** the counter a $SYS topic carries, if it is one of ours */
export function sysCounterOf(topic: string): SysCounterName | undefined {
  return (Object.keys(SYS_COUNTER_TOPICS) as SysCounterName[]).find((name) => SYS_COUNTER_TOPICS[name] === topic);
}

/** a counter's value: a whole number as decimal text */
export function parseSysCounter(topic: string, payload: Buffer | string): number {
  const text = payload.toString().trim();
  if (!/^\d+$/.test(text)) throw new SysValueError(`${topic}: not a counter value: "${text.slice(0, 40)}"`);
  return Number(text);
}

/** what happened between two readings; a counter that went down means the broker restarted in between */
export function sysDifference(start: SysCounters, end: SysCounters): SysCounters {
  const out = {} as Record<SysCounterName, number>;
  for (const name of Object.keys(SYS_COUNTER_TOPICS) as SysCounterName[]) {
    const d = end[name] - start[name];
    if (d < 0) throw new SysValueError(`${SYS_COUNTER_TOPICS[name]} went down from ${start[name]} to ${end[name]}: the broker restarted between the readings`);
    out[name] = d;
  }
  return out;
}
