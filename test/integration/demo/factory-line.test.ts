/**
 * The factory line against a stand-in API on a real socket: closed loop (each request waits for the answer
 * before it) by default, open loop (on schedule, up to maxInFlight unanswered) when asked, and the first
 * refusal ends the line once what is in flight is answered.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runFactoryLine } from '../../../src/cli/demo/factory-line.js';

let server: Server | undefined;

/** answers each POST after `delayMs`, 202 with every event accepted (or `status` for the `failAt`-th request) */
async function api(delayMs: number, failAt?: number): Promise<{ url: string; maxConcurrent: () => number; requests: () => number }> {
  let open = 0;
  let max = 0;
  let n = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const mine = ++n;
      open++;
      max = Math.max(max, open);
      const events = (JSON.parse(Buffer.concat(chunks).toString()) as { events: unknown[] }).events;
      setTimeout(() => {
        open--;
        const status = mine === failAt ? 400 : 202;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 202 ? { accepted: events.length, duplicates: 0, rejected: [] } : { code: 'BAD', message: 'no' }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxConcurrent: () => max, requests: () => n };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('runFactoryLine', () => {
  it('waits for each answer before the next request unless told otherwise', async () => {
    const a = await api(60);
    const r = await runFactoryLine({ apiUrl: a.url, siteId: 's1', devices: 6, chunk: 1, ratePerSecond: 100 });
    expect(r).toEqual({ accepted: 6, duplicates: 0, rejected: 0 });
    expect(a.maxConcurrent()).toBe(1);
  });

  it('keeps its schedule with up to maxInFlight requests unanswered: slow answers do not thin the load', async () => {
    const a = await api(400);
    const seen: number[] = [];
    // one request every 50 ms, each answered after 400 ms: a closed loop would have one in flight
    const r = await runFactoryLine({ apiUrl: a.url, siteId: 's1', devices: 8, chunk: 1, ratePerSecond: 20, maxInFlight: 3, onRequestAccepted: (q) => seen.push(q.from) });
    expect(r.accepted).toBe(8);
    expect(a.maxConcurrent()).toBe(3);
    expect(seen.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('stops at the first refusal, after what is in flight is answered, and throws it', async () => {
    const a = await api(100, 2);
    const err = await runFactoryLine({ apiUrl: a.url, siteId: 's1', devices: 20, chunk: 1, ratePerSecond: 50, maxInFlight: 4 }).catch((e: unknown) => e);
    expect(String(err)).toContain('answered 400');
    expect(a.requests()).toBeLessThan(20);
  });
});
