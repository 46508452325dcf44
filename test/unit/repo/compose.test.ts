/**
 * Docker does not run here, so the compose file is checked by reading it: every service runs a real
 * command (a registered `fleet-enroll` command, or the image's own program), Redis keeps an AOF and
 * never evicts, and every URL points at a service of the file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commands } from '../../../src/cli/commands/index.js';
import { parseSitesConfig } from '../../../src/config.js';
import { parseApiTokensFile } from '../../../src/config/api-tokens-file.js';

const repo = resolve(import.meta.dirname, '../../..');
interface Service {
  image?: string;
  build?: unknown;
  entrypoint?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(resolve(repo, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
};
const services = Object.entries(compose.services);

/** The program each third-party image runs; a command naming anything else is not a real one. */
const IMAGE_PROGRAMS: Record<string, string[]> = { redis: ['redis-server'], 'eclipse-mosquitto': ['mosquitto'] };

const ours = ([, s]: [string, Service]): boolean => s.build !== undefined || (s.image ?? '').startsWith('fleet-enroll');
const argv = (s: Service): string[] => (Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/).filter(Boolean));

describe('docker-compose.yml', () => {
  it('has Redis, Mosquitto, the emulator and the orchestrator', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['emulator', 'mosquitto', 'orchestrator', 'redis']);
  });

  it('runs only registered fleet-enroll commands in our image', () => {
    const registered = new Set(commands.map((c) => c.name));
    const ourServices = services.filter(ours);
    expect(ourServices.map(([n]) => n).sort()).toEqual(['emulator', 'orchestrator']);
    for (const [name, s] of ourServices) {
      expect(s.entrypoint, `${name} must keep the image's fleet-enroll entrypoint`).toBeUndefined();
      const [command] = argv(s);
      expect(command, `${name}: no command`).toBeDefined();
      expect(registered.has(command as string), `${name} runs "fleet-enroll ${command}", which src/cli/commands/index.ts does not register (registered: ${[...registered].join(', ') || 'none'})`).toBe(true);
    }
    const dockerfile = readFileSync(resolve(repo, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["fleet-enroll"\]$/m);
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
  });

  it("runs each third-party image's own program", () => {
    for (const [name, s] of services.filter((e) => !ours(e))) {
      const image = (s.image ?? '').split(':')[0] as string;
      expect(IMAGE_PROGRAMS[image], `${name}: unknown image ${s.image}`).toBeDefined();
      expect(IMAGE_PROGRAMS[image]).toContain(argv(s)[0]);
    }
  });

  it('gives Redis an AOF synced every second and no eviction', () => {
    const redis = compose.services.redis as Service;
    expect(redis.image).toMatch(/^redis:7/);
    const args = argv(redis).join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--appendfsync everysec');
    expect(args).toContain('--maxmemory-policy noeviction');
  });

  it('points every URL of the orchestrator at a service of this file, and gives it tokens since it listens on 0.0.0.0', () => {
    const env = compose.services.orchestrator?.environment ?? {};
    for (const key of ['REDIS_URL', 'FLEET_ACK_MQTT_URL', 'AWS_ENDPOINT_URL_SSM', 'AWS_ENDPOINT_URL_IOT', 'AWS_ENDPOINT_URL_IOT_DATA_PLANE']) {
      const url = env[key];
      expect(url, key).toBeDefined();
      expect(Object.keys(compose.services), `${key}=${url}`).toContain(new URL(url as string).hostname);
    }
    expect(argv(compose.services.orchestrator as Service)).toEqual(expect.arrayContaining(['--host', '0.0.0.0']));
    expect(env.FLEET_API_TOKENS_FILE).toBeDefined();
    expect(env.FLEET_SITES_FILE).toBeDefined();
    expect(env.FLEET_SECRET_KEY).toMatch(/^\$\{FLEET_SECRET_KEY:\?/);
    const mqttUrl = argv(compose.services.emulator as Service);
    expect(mqttUrl[mqttUrl.indexOf('--mqtt-url') + 1]).toBe('mqtt://mosquitto:1883');
  });

  it('ships a sites file and a tokens file that the orchestrator accepts', () => {
    const sites = parseSitesConfig(JSON.parse(compose.configs.sites?.content ?? ''));
    expect([...sites.sites.keys()]).toEqual(['plant-berlin-1', 'plant-austin-2']);
    // compose fills ${FLEET_API_TOKEN} in; any real value stands in for it here
    const tokens = (compose.configs.api_tokens?.content ?? '').replace(/\$\{FLEET_API_TOKEN:\?[^}]*\}/, 'a'.repeat(48));
    expect(parseApiTokensFile(JSON.parse(tokens), sites.sites)).toHaveProperty('tokens.0.role', 'admin');
  });
});
