/** `npm run lint` fails on a Lua script whose transitions the domain tables do not allow (scripts/check-lua-transitions.ts). */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');
const script = join(repo, 'scripts/check-lua-transitions.ts');
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** Runs the check as `npm run lint` does (through tsx) on a copy of the real src/ plus `files`. */
function run(files: Record<string, string>): { code: number; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'fleet-lua-lint-'));
  temps.push(root);
  cpSync(join(repo, 'src'), join(root, 'src'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, root], { cwd: repo, encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output: out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: e.stdout + e.stderr };
  }
}

const REDRIVE_IN_PLACE = `--[[
  Re-drives a failed batch in place (what the tables once described and no code did).
]]
-- transitions: batch failed->open; device failed->batched
--- @include "prelude"
batchState(ARGV[2], 'open', tonumber(ARGV[3]))
devState(ARGV[4], ARGV[5], 'failed', 'batched', tonumber(ARGV[3]))
`;

describe('scripts/check-lua-transitions.ts', () => {
  it('passes on a copy of the real source tree', () => {
    const result = run({});
    expect(result.output).toContain('make only moves the domain tables allow');
    expect(result.code).toBe(0);
  });

  it('fails on a .lua file declaring and performing moves the domain tables do not allow, naming file and move', () => {
    const result = run({ 'src/redis/scripts/redrive-in-place.lua': REDRIVE_IN_PLACE });
    expect(result.code).toBe(1);
    expect(result.output).toContain('src/redis/scripts/redrive-in-place.lua: declares batch failed->open, which src/domain/batch-state.ts does not allow');
    expect(result.output).toContain('src/redis/scripts/redrive-in-place.lua: declares device failed->batched, which src/domain/device-state.ts does not allow');
    expect(result.output).toContain(
      "src/redis/scripts/redrive-in-place.lua:7: devState(ARGV[4], ARGV[5], 'failed', 'batched', tonumber(ARGV[3])): makes device failed->batched, which src/domain/device-state.ts does not allow",
    );
  });

  it('fails on a script that performs a forbidden move its header keeps quiet about', () => {
    const sneaky = "--[[\n  Fails a registered device.\n]]\n-- transitions: none\n--- @include \"prelude\"\ndevState(ARGV[2], ARGV[3], 'registered', 'failed', 0)\n";
    const result = run({ 'src/adapters/sneaky.lua': sneaky });
    expect(result.code).toBe(1);
    expect(result.output).toContain("src/adapters/sneaky.lua:6: devState(ARGV[2], ARGV[3], 'registered', 'failed', 0): makes device registered->failed, which src/domain/device-state.ts does not allow");
  });
});
