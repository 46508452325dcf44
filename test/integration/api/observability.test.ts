/**
 * The observability kit under deploy/observability names only metrics that exist: every `fleet_…` name in
 * the Grafana dashboard's queries and in the Prometheus alert rules is exported by a running orchestrator's
 * GET /metrics (histogram series by their base name). The tag-backlog rules wait for `fleet_tag_backlog`.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { Keys } from '../../../src/redis/keys.js';
import { testConfig } from '../pipeline/support/test-config.js';

const DIR = new URL('../../../deploy/observability/', import.meta.url);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string };
}

async function rules(file: string): Promise<Rule[]> {
  const doc = parse(await readFile(new URL(file, DIR), 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

/** metric names in a PromQL expression, histogram series by their base name */
function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\bfleet_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')))];
}

describe('deploy/observability', () => {
  let app: App;
  let exported: Set<string>;
  let config: ReturnType<typeof testConfig>;

  beforeAll(async () => {
    config = testConfig({ sites: [{ id: 'plant-obs', maxBatchSize: 10 }] });
    app = await createApp(config, { roles: ['api'], listen: { host: '127.0.0.1', port: 0 }, logger: createLogger('warn'), metrics: new Metrics({ processMetrics: true }) });
    await app.start();
    const text = await (await fetch(`${app.url!}/metrics`)).text();
    exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  });
  afterAll(async () => {
    await app?.stop();
    await deleteMatching(config.redisUrl, new Keys(config.keyPrefix).everything);
  });

  it('the dashboard queries only metrics that /metrics exports', async () => {
    const dashboard = JSON.parse(await readFile(new URL('grafana-dashboard.json', DIR), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    const named = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets) for (const m of metricNames(t.expr)) named.add(m);
    }
    expect(named.size).toBeGreaterThanOrEqual(10);
    expect([...named].filter((m) => !exported.has(m))).toEqual([]);
  });

  it('the alert rules are well-formed and name only metrics that /metrics exports', async () => {
    const list = await rules('prometheus-alerts.yml');
    const alerts = list.map((r) => r.alert);
    for (const a of ['FleetEnrollNoProgress', 'FleetEnrollDevicesStuck', 'FleetEnrollBatchesFailed', 'FleetEnrollQuotaBlocked', 'FleetEnrollAwsThrottling']) expect(alerts).toContain(a);
    for (const r of list) {
      expect(r.labels.severity, r.alert).toMatch(/^(page|ticket)$/);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      const names = metricNames(r.expr);
      expect(names.length, r.alert).toBeGreaterThan(0);
      expect(names.filter((m) => !exported.has(m)), r.alert).toEqual([]);
    }
  });

  // becomes a real check once the tag stage exports its backlog gauge
  it.skipIf(!process.env.FLEET_FORCE_TAG_BACKLOG_CHECK && !new Metrics().registry.getSingleMetric('fleet_tag_backlog'))(
    'the tag-backlog rule names only metrics that /metrics exports',
    async () => {
      for (const r of await rules('prometheus-alerts-tag-backlog.yml')) expect(metricNames(r.expr).filter((m) => !exported.has(m)), r.alert).toEqual([]);
    },
  );
});
