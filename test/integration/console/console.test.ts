/**
 * The console at /ui in real headless Chromium against a real pipeline with API tokens: it asks for a
 * token, lists the sites with the right counts, finds a device (activation id shown, code never), shows a
 * failed batch's reason and re-drives it with the admin token (the page updates by itself), and a line
 * token sees its own site only. FLEET_UPDATE_SCREENSHOTS=1 also writes docs/console-*.png.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PipelineHarness } from '../pipeline/support/pipeline-harness.js';
import { launchBrowser, type Browser } from './support/browser.js';

const GOOD = 'plant-good';
const BAD = 'plant-bad';
const GOOD_N = 120;
const BAD_N = 30;
const ADMIN = `admin-${randomBytes(12).toString('hex')}`;
const LINE = `line-${randomBytes(12).toString('hex')}`;
const SCREENSHOTS = process.env.FLEET_UPDATE_SCREENSHOTS === '1';
const sha = (t: string): string => createHash('sha256').update(t).digest('hex');

describe('the operator console in Chromium', () => {
  let h: PipelineHarness;
  let browser: Browser;
  let ui: string;

  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: [
        { id: GOOD, maxBatchSize: 100 },
        { id: BAD, maxBatchSize: 100 },
      ],
      batchWindowMs: 100,
      maxAttempts: 1,
      roles: ['api', 'intake', 'activation', 'delivery', 'ack', 'reconcile'],
      apiTokens: [
        { name: 'on-call', sha256: sha(ADMIN), role: 'admin', sites: ['*'] },
        { name: 'line-good', sha256: sha(LINE), role: 'line', sites: [GOOD] },
      ],
    });
    ui = `${h.app.url!}/ui`;
    // one site's batch fails (CreateActivation errors, one attempt), the other site's devices register
    h.emulator.setFaults({ 'ssm.CreateActivation': { error: 1 } });
    await h.enroll(h.events(BAD, BAD_N));
    await h.waitFor(async () => (await h.counts(BAD)).failed === BAD_N, 30_000, () => h.describeCounts([BAD]));
    h.emulator.setFaults({});
    await h.enroll(h.events(GOOD, GOOD_N));
    await h.waitFor(async () => (await h.counts(GOOD)).registered === GOOD_N, 60_000, () => h.describeCounts([GOOD]));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  async function signedIn(token: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(ui);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
    return page;
  }

  function siteRow(page: Page, siteId: string) {
    return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: siteId }) });
  }

  it('asks for a token, then lists every site with its counts', async () => {
    const page = await browser.context.newPage();
    await page.goto(ui);
    // the page draws itself after load: wait for the heading (isVisible alone does not wait, and a busy machine loses the race)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ state: 'visible', timeout: 10_000 });
    await page.close();

    const admin = await signedIn(ADMIN);
    const good = siteRow(admin, GOOD);
    const bad = siteRow(admin, BAD);
    const cells = async (row: ReturnType<typeof siteRow>): Promise<string[]> => row.getByRole('cell').allInnerTexts();
    // columns after the site: bar, in flight, registered, failed, …
    await expect.poll(async () => (await cells(good)).slice(1, 4), { timeout: 5_000 }).toEqual(['0', String(GOOD_N), '0']);
    expect((await cells(bad)).slice(1, 4)).toEqual(['0', '0', String(BAD_N)]);
    expect(await good.getByRole('img').getAttribute('aria-label')).toBe(`registered ${GOOD_N}`);
    if (SCREENSHOTS) await admin.screenshot({ path: 'docs/console-overview.png', fullPage: true });
    await admin.close();
  });

  it('finds a device: timeline, batch, activation id and node id, never the activation code', async () => {
    const page = await signedIn(ADMIN);
    const deviceId = `${GOOD}-SN-000007`;
    await page.getByLabel('Device id').fill(deviceId);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: `Device ${deviceId}` }).waitFor();
    const view = (await h.app.services.device(deviceId))!;
    const text = await page.locator('main').innerText();
    expect(text).toContain(view.activationId!);
    expect(text).toContain(view.managedNodeId!);
    expect(text).toContain(view.batchId!);
    expect(await page.locator('.timeline li').allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringContaining('accepted'), expect.stringContaining('registered')]),
    );
    const html = await page.content();
    expect(h.observer.codes.size).toBeGreaterThan(0);
    for (const code of h.observer.codes) expect(html).not.toContain(code);
    if (SCREENSHOTS) await page.screenshot({ path: 'docs/console-device.png', fullPage: true });
    await page.close();
  });

  it('shows a failed batch with its reason and re-drives it with the admin token; the page updates by itself', async () => {
    const page = await signedIn(ADMIN);
    await page.getByRole('link', { name: BAD }).first().click();
    await page.getByRole('heading', { name: `Site ${BAD}` }).waitFor();
    const batchId = (await h.app.listings.batches({ siteIds: [BAD], limit: 10 })).items[0]!.batchId;
    const batch = (await h.app.services.batch(batchId))!;
    expect(batch.state).toBe('failed');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: batchId }) });
    expect(await row.innerText()).toContain(batch.error!);
    expect(await page.getByRole('table', { name: 'Failed devices' }).getByRole('row').count()).toBe(BAD_N + 1);
    // where the Region's node quota comes from (here: the sites file, unlimited)
    expect(await page.locator('.facts').innerText()).toMatch(/Node quota\s+[a-z0-9-]+: unlimited, from the sites file/);

    await page.getByRole('button', { name: `Re-drive batch ${batchId}` }).click();
    await expect.poll(() => page.getByRole('status').innerText(), { timeout: 5_000 }).toContain(`${BAD_N} devices back in flight`);
    // no reload: the live refresh shows the re-driven devices registering
    await expect.poll(() => page.locator('.facts').innerText(), { timeout: 60_000 }).toMatch(new RegExp(`Registered\\s+${BAD_N}\\b`));
    expect((await h.counts(BAD)).registered).toBe(BAD_N);
    await page.close();
  });

  it('a line token sees its own site only, and no re-drive buttons', async () => {
    const page = await signedIn(LINE);
    await siteRow(page, GOOD).waitFor();
    expect(await siteRow(page, BAD).count()).toBe(0);
    await page.goto(`${ui}#/site/${BAD}`);
    await page.reload();
    await expect.poll(() => page.getByRole('status').innerText(), { timeout: 5_000 }).toContain('may not read site');
    await page.goto(`${ui}#/device/${BAD}-SN-000001`);
    await page.getByRole('heading', { name: `Device ${BAD}-SN-000001` }).waitFor();
    expect(await page.locator('main').innerText()).toContain('No device');
    await page.goto(`${ui}#/site/${GOOD}`);
    await page.getByRole('heading', { name: `Site ${GOOD}` }).waitFor();
    expect(await page.getByRole('button', { name: /Re-drive/ }).count()).toBe(0);
    await page.close();
  });

  it('fits a tablet screen without sideways scrolling of the page', async () => {
    const page = await signedIn(ADMIN);
    await page.setViewportSize({ width: 820, height: 1180 });
    await siteRow(page, GOOD).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.close();
  });
});
