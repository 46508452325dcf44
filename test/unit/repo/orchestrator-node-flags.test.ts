/** The orchestrator's Node flags are declared once in TypeScript; the launchers that cannot import it repeat them, checked here. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ORCHESTRATOR_NODE_FLAGS } from '../../../src/cli/orchestrator-node-flags.js';

const repo = resolve(import.meta.dirname, '../../..');
const read = (file: string): string => readFileSync(resolve(repo, file), 'utf8');

describe('orchestrator Node flags', () => {
  it('are passed by `npm start`', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toBe(`node ${ORCHESTRATOR_NODE_FLAGS.join(' ')} bin/fleet-enroll.js serve`);
  });

  it('are NODE_OPTIONS of the compose file orchestrator, and of no other service', () => {
    const services = (parse(read('docker-compose.yml')) as { services: Record<string, { environment?: Record<string, string> }> }).services;
    expect(services.orchestrator?.environment?.NODE_OPTIONS).toBe(ORCHESTRATOR_NODE_FLAGS.join(' '));
    // the emulator keeps a whole fleet's nodes in memory: no orchestrator-sized ceiling for it
    const others = Object.entries(services).filter(([name, s]) => name !== 'orchestrator' && s.environment?.NODE_OPTIONS !== undefined);
    expect(others).toEqual([]);
  });
});
