import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLuaScript, luaTable } from '../../../src/lua/script-loader.js';

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function folder(files: Record<string, string>): URL {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-lua-'));
  temps.push(dir);
  mkdirSync(join(dir, 'includes'));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return pathToFileURL(`${dir}/`);
}

describe('loadLuaScript', () => {
  it('replaces each include line by its fragment, generated ones first, each fragment once', () => {
    const dir = folder({
      'a.lua': '-- a\n--- @include "prelude"\n--- @include "keys"\nreturn key(SEG.device)\n',
      'includes/prelude.lua': '--- @include "keys"\nlocal function p() end\n',
      'includes/keys.lua': '--- @include "layout"\nlocal root = ARGV[1]\n',
    });
    const text = loadLuaScript({ dir, generated: { layout: luaTable('SEG', { device: 'dev' }) } }, 'a');
    expect(text).toBe("-- a\nlocal SEG = {device='dev'}\nlocal root = ARGV[1]\nlocal function p() end\n-- (keys included above)\nreturn key(SEG.device)\n");
  });

  it('fails on an include cycle and on a missing file', () => {
    const dir = folder({ 'a.lua': '--- @include "x"\n', 'b.lua': '--- @include "nope"\n', 'includes/x.lua': '--- @include "y"\n', 'includes/y.lua': '--- @include "x"\n' });
    expect(() => loadLuaScript({ dir }, 'a')).toThrow('Lua include cycle: a → x → y → x');
    expect(() => loadLuaScript({ dir }, 'b')).toThrow(/ENOENT/);
  });

  it('hands only plain names and values to Lua', () => {
    expect(luaTable('TS', { accepted: 'tAcc', q: 'a:b' })).toBe("local TS = {accepted='tAcc', q='a:b'}");
    expect(() => luaTable('X', { a: "x'y" })).toThrow('not a plain Lua table entry');
    expect(() => luaTable('X', { 'a-b': 'x' })).toThrow('not a plain Lua table entry');
  });
});
