import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');
const script = join(repo, 'scripts/check-layers.mjs');
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** Runs the check as `npm run lint` does; returns exit code and output. */
function run(root: string): { code: number; output: string } {
  try {
    const out = execFileSync(process.execPath, [script, root], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output: out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: e.stdout + e.stderr };
  }
}

function tree(files: Record<string, string>, copyRealSrc = false): string {
  const root = mkdtempSync(join(tmpdir(), 'fleet-layers-'));
  temps.push(root);
  if (copyRealSrc) cpSync(join(repo, 'src'), join(root, 'src'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Adds `files` to a copy of the real tree: the check must fail, with `message` among its lines. */
function expectFailure(files: Record<string, string>, message: string): void {
  const result = run(tree(files, true));
  expect(result.code).toBe(1);
  expect(result.output).toContain(message);
}

describe('scripts/check-layers.mjs', () => {
  it('passes on a copy of the real source tree', () => {
    const result = run(tree({}, true));
    expect(result.output).toContain('every import follows the dependency rule');
    expect(result.code).toBe(0);
  });

  it('fails when a file in src/domain imports an AWS SDK, naming the file and the import', () => {
    expectFailure({ 'src/domain/sneaky.ts': "import { SSMClient } from '@aws-sdk/client-ssm';\nexport const c = SSMClient;\n" }, 'src/domain/sneaky.ts:1: imports "@aws-sdk/client-ssm"');
  });

  it('catches every form of import out of the domain: type-only, export-from, dynamic, multi-line, Node I/O', () => {
    const root = tree({
      'src/domain/ok.ts': "import { z } from 'zod';\nimport type { A } from './a.js';\n// import x from '../redis/x.js'\nconst url = 'redis://x'; // not an import\n",
      'src/domain/a.ts': "import type { Redis } from 'ioredis';\n",
      'src/domain/b.ts': "export { keys } from '../redis/keys.js';\n",
      'src/domain/c.ts': "export async function f() { return import('../adapters/ssm.js'); }\n",
      'src/domain/d.ts': "import {\n  Worker,\n} from '../workers/w.js';\n",
      'src/domain/e.ts': "import { readFileSync } from 'node:fs';\n",
      'src/domain/f.ts': "import { buildApi } from '../api/app.js';\n",
    });
    const lines = run(root).output.split('\n').filter((l) => l.includes('src/domain/'));
    expect(lines).toHaveLength(6);
    for (const f of ['a.ts:1', 'b.ts:1', 'c.ts:1', 'd.ts:1', 'e.ts:1', 'f.ts:1']) expect(lines.join('\n')).toContain(`src/domain/${f}`);
    expect(lines.join('\n')).not.toContain('ok.ts');
  });

  it('enforces the layers above the domain too', () => {
    const root = tree({
      'src/redis/q.ts': "import { x } from '../services/s.js';\n",
      'src/adapters/a.ts': "import { x } from '../redis/q.js';\n",
      'src/services/s.ts': "import { x } from '../workers/w.js';\nimport type { ApiServices } from '../api/services.js';\n",
      'src/services/t.ts': "import { buildApi } from '../api/app.js';\nimport { SSMClient } from '@aws-sdk/client-ssm';\n",
      'src/workers/w.ts': "import { buildApi } from '../api/app.js';\n",
      'src/emulator/e.ts': "import { x } from '../adapters/a.js';\n",
      'src/device/d.ts': "import { x } from '../redis/q.js';\nimport { y } from '../domain/y.js';\n",
      // the mqtt.js helpers: adapters and device may use them; they use nothing of ours, nor the emulator them
      'src/mqtt/m.ts': "import { x } from '../domain/y.js';\nimport mqtt from 'mqtt';\n",
      'src/adapters/b.ts': "import { g } from '../mqtt/m.js';\n",
      'src/device/e.ts': "import { g } from '../mqtt/m.js';\n",
      'src/emulator/f.ts': "import { g } from '../mqtt/m.js';\n",
      'src/app.ts': "import { x } from './workers/w.js';\nimport { y } from './api/app.js';\n",
      'src/cli/main.ts': "import { x } from '../app.js';\n",
    });
    const result = run(root);
    const offenders = result.output.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim().split(':').slice(0, 2).join(':'));
    expect(offenders.sort()).toEqual([
      'src/adapters/a.ts:1',
      'src/device/d.ts:1',
      'src/emulator/e.ts:1',
      'src/emulator/f.ts:1',
      'src/mqtt/m.ts:1',
      'src/redis/q.ts:1',
      'src/services/s.ts:1',
      'src/services/s.ts:2',
      'src/services/t.ts:1',
      'src/services/t.ts:2',
      'src/workers/w.ts:1',
    ]);
  });

  it('fails on any services → api import, a type-only one too: services own the types they answer with', () => {
    expectFailure(
      { 'src/services/enroll.ts': "import type { DeviceView } from '../api/services.js';\nexport type V = DeviceView;\n" },
      'src/services/enroll.ts:1: imports "../api/services.js" (api) — services may import only',
    );
  });

  it('fails on an import cycle, naming the files around it, type-only imports included', () => {
    // two cycles: config.ts ↔ config/tokens.ts (one side type-only), and services a → b → c → a; d only hangs off a
    const files: Record<string, string> = {
      'src/config.ts': "import { tokens } from './config/tokens.js';\nexport const config = tokens;\n",
      'src/config/tokens.ts': "import { z } from '../domain/z.js';\nimport type { Config } from '../config.js';\nexport const tokens = z;\n",
      'src/domain/z.ts': 'export const z = 1;\n',
    };
    for (const [from, to] of ['ab', 'bc', 'ca', 'da']) files[`src/services/${from}.ts`] = `export { x } from './${to}.js';\n`;
    const result = run(tree(files));
    expect(result.code).toBe(1);
    const cycles = result.output.split('\n').filter((l) => l.includes('import cycle'));
    expect(cycles).toHaveLength(2);
    expect(cycles).toContain('  src/config.ts:1: import cycle src/config.ts → src/config/tokens.ts → src/config.ts');
    expect(cycles).toContain('  src/services/a.ts:1: import cycle src/services/a.ts → src/services/b.ts → src/services/c.ts → src/services/a.ts');
  });

  it('keeps the Lua loader (src/lua) free of our other layers; redis and adapters may use it, services not directly', () => {
    const root = tree({
      'src/lua/script-loader.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      'src/lua/sneaky.ts': "import { Keys } from '../redis/keys.js';\nimport type { DeviceState } from '../domain/device-state.js';\n",
      'src/redis/keys.ts': "import { r } from '../lua/script-loader.js';\nexport const Keys = r;\n",
      'src/adapters/limiter.ts': "import { r } from '../lua/script-loader.js';\nexport const l = r;\n",
      'src/services/s.ts': "import { r } from '../lua/script-loader.js';\nexport const s = r;\n",
    });
    const offenders = run(root).output.split('\n').filter((l) => l.startsWith('  ') && !l.includes('import cycle')).map((l) => l.trim().split(':').slice(0, 2).join(':'));
    expect(offenders.sort()).toEqual(['src/lua/sneaky.ts:1', 'src/lua/sneaky.ts:2', 'src/services/s.ts:1']);
  });

  it('fails when production code imports src/devtools; the CLI (demo) may', () => {
    const files: Record<string, string> = { 'src/devtools/spawner.ts': "import { spawn } from 'node:child_process';\nexport const s = spawn;\n" };
    const production = ['domain', 'redis', 'adapters', 'services', 'workers', 'api', 'config'];
    for (const layer of production) files[`src/${layer}/uses-devtools.ts`] = "import { s } from '../devtools/spawner.js';\nexport const x = s;\n";
    files['src/app.ts'] = "import { s } from './devtools/spawner.js';\nexport const x = s;\n";
    files['src/cli/demo.ts'] = "import { s } from '../devtools/spawner.js';\nexport const x = s;\n";
    const result = run(tree(files));
    expect(result.code).toBe(1);
    const offenders = result.output.split('\n').filter((l) => l.includes('may not import dev tooling')).map((l) => l.trim().split(':')[0]);
    expect(offenders.sort()).toEqual([...production.map((l) => `src/${l}/uses-devtools.ts`), 'src/app.ts'].sort());
    expect(result.output).not.toContain('src/cli/demo.ts');
  });

  it('keeps dev tooling out of the real tree: src/devtools is imported only by the CLI', () => {
    expectFailure(
      { 'src/workers/sneaky.ts': "import { deleteMatching } from '../devtools/delete-keys.js';\nexport const d = deleteMatching;\n" },
      'src/workers/sneaky.ts:1: imports "../devtools/delete-keys.js" (devtools) — production code (workers) may not import dev tooling',
    );
  });
});
