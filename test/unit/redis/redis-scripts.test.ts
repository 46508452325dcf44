/** What the loader hands Redis: every script with the shared Lua it uses, and the TypeScript layout. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_SEGMENTS } from '../../../src/redis/keys.js';
import { DEVICE_FIELDS, STATE_TIME_FIELDS } from '../../../src/redis/records.js';
import { SCRIPTS } from '../../../src/redis/redis-scripts.js';

const dir = resolve(import.meta.dirname, '../../../src/redis/scripts');
const includes = readdirSync(join(dir, 'includes')).map((f) => readFileSync(join(dir, 'includes', f), 'utf8'));
/** what the includes and the generated layout define */
const shared = [...new Set([...includes.join('\n').matchAll(/^local (?:function )?(\w+)/gm)].map((m) => m[1]!)).add('SEG').add('DEVICE').add('BATCH').add('TS')];

describe('the loaded scripts', () => {
  it('are one per .lua file of src/redis/scripts', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.lua')).length;
    expect(Object.keys(SCRIPTS)).toHaveLength(files);
  });

  it('define every shared name they use (an include left out fails here, not in Redis)', () => {
    expect(shared).toEqual(expect.arrayContaining(['root', 'key', 'devKey', 'devState', 'batchState', 'tagDrop', 'SEG', 'TS']));
    const missing: string[] = [];
    for (const [name, text] of Object.entries(SCRIPTS)) {
      const code = text.replace(/--\[\[[\s\S]*?\]\]|--.*$/gm, '');
      for (const id of shared) {
        // a use: not a field of another table (`x.id`), not a table key (`{id='…'}`)
        const use = new RegExp(`(?<![\\w.])${id}\\b(?!\\s*=[^=])`).exec(code.replace(new RegExp(`local (function )?${id}\\b`, 'g'), ''));
        if (!use) continue;
        const def = code.search(new RegExp(`local (function )?${id}\\b`));
        if (def < 0) missing.push(`${name}: ${id}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('get the key segments and field names from TypeScript, not typed again', () => {
    const cut = SCRIPTS.fleetCut;
    expect(cut).toContain(`device='${KEY_SEGMENTS.device}'`);
    expect(cut).toContain(`state='${DEVICE_FIELDS.state}'`);
    expect(cut).toContain(`accepted='${STATE_TIME_FIELDS.accepted}'`);
    const sources = [...readdirSync(dir).filter((f) => f.endsWith('.lua')).map((f) => readFileSync(join(dir, f), 'utf8')), ...includes];
    for (const text of sources) expect(text).not.toMatch(/':dev:'|'st'|'batch'|'tAcc'/);
  });
});
