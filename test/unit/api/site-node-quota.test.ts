/** The site view says where its Region's node quota comes from: through the API's schema and `fleet-enroll status`. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/app.js';
import type { NodeQuotaView, SiteView } from '../../../src/api/services.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { statusCommandWith } from '../../../src/cli/commands/status.js';
import { FakeServices, zeroCounts } from './fake-services.js';
import { bearer, testConfig, TOKENS } from './fixtures.js';

const ACCOUNT: NodeQuotaView = {
  region: 'eu-central-1', source: 'account', tier: 'standard', quota: 1000, accountNodes: 300, room: 700, readAt: '2026-12-01T10:00:00.000Z', error: null,
};

class QuotaServices extends FakeServices {
  constructor(private readonly quota: NodeQuotaView) {
    super();
  }
  override async site(siteId: string): Promise<SiteView | null> {
    return { siteId, counts: zeroCounts(), buffered: 0, nextCutAt: null, nodeQuota: this.quota };
  }
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _e, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

describe('node quota in the site view', () => {
  it('GET /v1/sites/{id} answers it whole; status prints its source', async () => {
    for (const [quota, line] of [
      [ACCOUNT, /node quota\s+eu-central-1: 1000 \(account, standard tier\): 700 free, 300 nodes in the Region, read 2026-12-01T10:00:00.000Z/],
      [{ ...ACCOUNT, tier: 'advanced', quota: null, accountNodes: null, room: null } as NodeQuotaView, /eu-central-1: unlimited \(account, advanced tier\), read/],
      [{ ...ACCOUNT, source: 'sites-file', tier: null, quota: 50, accountNodes: null, room: null, readAt: null } as NodeQuotaView, /eu-central-1: 50 \(sites file\)/],
      [{ ...ACCOUNT, tier: null, readAt: null, error: 'GetServiceSetting failed: AccessDeniedException' } as NodeQuotaView, /from the account, not read yet \(GetServiceSetting failed: AccessDeniedException\)/],
    ] as const) {
      const app = await buildApi({ config: testConfig(), services: new QuotaServices(quota), metrics: new Metrics(), logger: pino({ level: 'silent' }) });
      try {
        const res = await app.inject({ method: 'GET', url: '/v1/sites/plant-a', headers: bearer(TOKENS.admin) });
        expect(res.statusCode).toBe(200);
        expect(res.json().nodeQuota).toEqual(quota);
        const out = sink();
        const fetchViaApp = async (url: string, init: { method: string; headers: Record<string, string> }) => {
          const r = await app.inject({ method: init.method as 'GET', url: new URL(url).pathname, headers: init.headers });
          return new Response(r.body, { status: r.statusCode, headers: { 'content-type': String(r.headers['content-type']) } });
        };
        await statusCommandWith(fetchViaApp).run(['--site', 'plant-a', '--token', TOKENS.admin], { stdout: out.stream, stderr: sink().stream });
        expect(out.text()).toMatch(line);
      } finally {
        await app.close();
      }
    }
  });
});
