/**
 * Listings over HTTP on a moving pipeline: a walk through 10,000 devices, page by page while they are
 * batched and activated (and more are enrolled), lists each device exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from '../pipeline/support/pipeline-harness.js';

const SITE = 'plant-list';
const DEVICES = 10_000;
const LATE = 500;

interface PageBody {
  items: { deviceId: string; siteId: string; state: string }[];
  nextCursor: string | null;
}

describe('GET /v1/devices while the pipeline moves', () => {
  let h: PipelineHarness;
  let url: string;

  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: [
        { id: SITE, maxBatchSize: 500 },
        { id: 'plant-other', maxBatchSize: 500 },
      ],
      batchWindowMs: 100,
      // devices move accepted → batched → activated under the walk; delivering and registering 10,000 of
      // them would only make the test slower on a busy machine (those states are the pipeline tests' part)
      roles: ['api', 'intake', 'activation'],
      simulator: { silentFraction: 1 },
    });
    url = h.app.url!;
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function page(query: string): Promise<PageBody> {
    const res = await fetch(`${url}/v1/devices?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as PageBody;
  }

  it('lists each device exactly once, pages walked while devices change state and new ones arrive', async () => {
    const first = h.events(SITE, DEVICES);
    await h.enroll(first, 2_000);
    await h.enroll(h.events('plant-other', 50));
    // every device indexed (intake done) before the walk starts; from here on the pipeline moves them
    await h.waitFor(async () => sum(await h.counts(SITE)) === DEVICES, 60_000, () => h.describeCounts([SITE]));
    const late = h.events(SITE, LATE, `${SITE}-late`);

    const seen = new Map<string, number>();
    const statesSeen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: PageBody = await page(`siteId=${SITE}&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const d of body.items) {
        expect(d.siteId).toBe(SITE);
        seen.set(d.deviceId, (seen.get(d.deviceId) ?? 0) + 1);
        statesSeen.add(d.state);
      }
      cursor = body.nextCursor;
      pages++;
      // new devices enrolled halfway through the walk: they come after the ones already listed
      if (pages === 15) await h.enroll(late);
      if (pages === 16) await h.waitFor(async () => sum(await h.counts(SITE)) === DEVICES + LATE, 30_000, () => h.describeCounts([SITE]));
    } while (cursor !== null);

    const twice = [...seen].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    for (const e of [...first, ...late]) expect(seen.has(e.deviceId), e.deviceId).toBe(true);
    expect(seen.size).toBe(DEVICES + LATE);
    // the walk was under way while new devices arrived (page 15) and the pipeline took them (page 16); how far
    // the others had moved depends on the machine's speed, so their states are not asserted
    expect(pages).toBeGreaterThan(16);
    expect(statesSeen.size).toBeGreaterThan(0);
  });

  it('filters by state on read, across sites when no siteId is given', async () => {
    // no delivery role: every device ends `activated` and stays there
    const total = DEVICES + LATE + 50;
    await h.waitFor(async () => (await h.counts(SITE)).activated + (await h.counts('plant-other')).activated === total, 90_000, () => h.describeCounts([SITE, 'plant-other']));
    const walk = async (state: string): Promise<PageBody['items']> => {
      const items: PageBody['items'] = [];
      let cursor: string | null = null;
      do {
        const body: PageBody = await page(`state=${state}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        items.push(...body.items);
        cursor = body.nextCursor;
      } while (cursor !== null);
      return items;
    };
    const activated = await walk('activated');
    expect(activated).toHaveLength(total);
    expect(new Set(activated.map((d) => d.deviceId)).size).toBe(total);
    expect(new Set(activated.map((d) => d.siteId))).toEqual(new Set([SITE, 'plant-other']));
    expect(await walk('accepted')).toEqual([]);
  });

  it('answers a bad limit, state or cursor with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['state=lost', 'state'],
      ['cursor=%21%21', 'cursor'],
      [`cursor=${Buffer.from('plant-nowhere\n5').toString('base64url')}`, 'cursor'],
      ['since=yesterday', 'since'],
    ] as const) {
      const res = await fetch(`${url}/v1/devices?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text(), query).toContain(field);
    }
    expect((await fetch(`${url}/v1/devices?siteId=plant-nowhere`)).status).toBe(404);
  });

  it('documents the listings in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${url}/docs/json`)).json()) as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
    for (const path of ['/v1/devices', '/v1/batches']) {
      expect(doc.paths[path]?.get?.parameters?.map((p) => p.name).sort()).toEqual(expect.arrayContaining(['cursor', 'limit', 'siteId', 'state']));
    }
  });

  it('lists batches in the order they were cut, each once', async () => {
    await h.waitFor(async () => (await h.counts(SITE)).accepted === 0, 30_000, () => h.describeCounts([SITE]));
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await fetch(`${url}/v1/batches?siteId=${SITE}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { batchId: string; siteId: string; size: number; activationId: string | null }[]; nextCursor: string | null };
      for (const b of body.items) {
        expect(b.siteId).toBe(SITE);
        expect(b.size).toBeGreaterThan(0);
        ids.push(b.batchId);
      }
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(Math.ceil((DEVICES + LATE) / 500));
  });
});

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
