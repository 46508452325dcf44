/**
 * Reads a Mosquitto's $SYS PUBLISH counters over one MQTT connection kept open for a run: `read()` gives
 * them as of a tick after the call, so a reading at the end covers everything before it.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { parseSysCounter, sysCounterOf, SYS_COUNTER_TOPICS, SYS_UPTIME_TOPIC, SYS_VERSION_TOPIC, SysValueError, type SysCounterName, type SysCounters } from './mosquitto-sys.js';

export interface SysReading {
  readonly counters: SysCounters;
  /** $SYS messages this reader had received by then: they are in the broker's `sent` too */
  readonly readerMessages: number;
}

export class MosquittoSysReader {
  private readonly latest: Partial<Record<SysCounterName, number>> = {};
  private messages = 0;
  private ticks = 0;
  private onTick: (() => void) | undefined;
  private error: Error | undefined;
  /** what $SYS/broker/version says, e.g. "mosquitto version 2.0.11" */
  version: string | undefined;

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages++;
      if (topic === SYS_VERSION_TOPIC) this.version = payload.toString();
      // the retained uptime sent on subscribe is an old tick; a live one is a new tick
      else if (topic === SYS_UPTIME_TOPIC) {
        if (!packet.retain) this.ticks++;
        this.onTick?.();
      } else {
        const name = sysCounterOf(topic);
        try {
          if (name) this.latest[name] = parseSysCounter(topic, payload);
        } catch (err) {
          this.error = err as Error;
        }
      }
    });
  }

  static async connect(url: string): Promise<MosquittoSysReader> {
    const client = await mqtt.connectAsync(url, { clientId: `fleet-bench-sys-${randomBytes(4).toString('hex')}`, clean: true, reconnectPeriod: 0 });
    const reader = new MosquittoSysReader(client);
    await client.subscribeAsync([...Object.values(SYS_COUNTER_TOPICS), SYS_UPTIME_TOPIC, SYS_VERSION_TOPIC], { qos: 0 });
    return reader;
  }

  /**
   * The counters as of the second tick from now: the first tick after the call counts everything before
   * it, and its messages are all in once the next tick's uptime arrives (one connection keeps the order).
   */
  async read(timeoutMs = 10_000): Promise<SysReading> {
    const target = this.ticks + 2;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onTick = undefined;
        reject(new Error(`no $SYS tick from the broker within ${timeoutMs} ms (is sys_interval set?)`));
      }, timeoutMs);
      this.onTick = () => {
        if (this.ticks < target) return;
        clearTimeout(timer);
        this.onTick = undefined;
        resolve();
      };
    });
    if (this.error) throw this.error;
    const missing = (Object.keys(SYS_COUNTER_TOPICS) as SysCounterName[]).filter((name) => this.latest[name] === undefined);
    if (missing.length > 0) throw new SysValueError(`the broker published no ${missing.map((n) => SYS_COUNTER_TOPICS[n]).join(', ')}`);
    return { counters: { ...(this.latest as SysCounters) }, readerMessages: this.messages };
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
