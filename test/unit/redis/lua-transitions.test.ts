/**
 * The Lua scripts against the domain state tables (src/domain/device-state.ts, batch-state.ts): each
 * script's header declares its moves, the tables allow each, its devState/batchState calls make only
 * those, and every move of the tables is made by some script.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_TABLES, checkScripts, declaredMoves, readScripts, showMove, stateCalls, type Tables } from '../../../scripts/check-lua-transitions.js';
import { StateMachine } from '../../../src/domain/state-machine.js';

const repo = resolve(import.meta.dirname, '../../..');
const scripts = readScripts(repo);

/** the moves a real script declares, as `subject from->to` */
function declaredBy(file: string): string[] {
  const moves = declaredMoves(scripts.find((s) => s.path.endsWith(`/${file}`))!.text);
  if (typeof moves === 'string') throw new Error(`${file}: ${moves}`);
  return moves.map(showMove);
}

const script = (transitions: string, body: string) => ({ path: 'src/redis/scripts/x.lua', text: `--[[\n  test\n]]\n-- transitions: ${transitions}\n--- @include "prelude"\n${body}\n` });

/** the real scripts plus `extra`, so the tables' every move stays declared and only `extra` is judged */
const withReal = (...extra: { path: string; text: string }[]) => checkScripts([...scripts, ...extra]);

describe('the Lua scripts and the domain state tables', () => {
  it('agree: every declared move is allowed and made, every call declared, every table move made', () => {
    expect(scripts.map((s) => s.path)).toContain('src/redis/scripts/registered.lua');
    expect(scripts.map((s) => s.path)).toContain('src/adapters/token-bucket.lua');
    expect(checkScripts(scripts)).toEqual([]);
  });

  it('reads every header: the scripts that change state declare it', () => {
    expect(declaredMoves(scripts.find((s) => s.path.endsWith('/registered.lua'))!.text)).toEqual([{ subject: 'device', from: 'acked', to: 'registered' }]);
    expect(declaredBy('cut.lua')).toEqual(['device accepted->batched', 'batch new->open']);
    expect(declaredBy('list-index.lua')).toEqual([]);
  });

  it('describes a re-drive as the code does it: failed devices back to the buffer, the failed batch stays failed', () => {
    expect(declaredBy('requeue-failed.lua')).toEqual(['device failed->accepted']);
    const all = scripts.flatMap((s) => declaredBy(s.path.split('/').pop()!));
    expect(all).not.toContain('batch failed->open');
    expect(all).not.toContain('device failed->batched');
  });

  it('reads the helper calls, literal states and run-time ones, but not the helpers themselves', () => {
    const calls = stateCalls(
      "local function devState(id, site, from, to, now)\nend\n-- devState(id, s, 'acked', 'failed', now)\ndevState(id, f[3], 'acked', 'registered', now)\n" +
        "devState(id, site, nil, 'accepted', tonumber(ARGV[3]))\ndevState(id, f[3], f[1], 'failed', now)\nbatchState(b, 'open', now)\n",
    );
    expect(calls.map((c) => [c.subject, c.from, c.to, c.line])).toEqual([
      ['device', 'acked', 'registered', 4],
      ['device', null, 'accepted', 5],
      ['device', undefined, 'failed', 6],
      ['batch', undefined, 'open', 7],
    ]);
  });

  it('refuses a declared move the table does not allow', () => {
    const problems = withReal(script('device registered->failed', "devState(id, site, 'registered', 'failed', now)"));
    expect(problems).toContain('src/redis/scripts/x.lua: declares device registered->failed, which src/domain/device-state.ts does not allow');
  });

  it('refuses a call that makes a move the header does not declare, or a forbidden one', () => {
    expect(withReal(script('device acked->registered', "devState(id, site, 'acked', 'registered', now)\ndevState(id, site, 'acked', 'failed', now)"))).toEqual([
      "src/redis/scripts/x.lua:7: devState(id, site, 'acked', 'failed', now): makes a device move to failed its header does not declare",
    ]);
    expect(withReal(script('batch active->completed', "batchState(b, 'completed', now)\nbatchState(b, 'open', now)"))).toEqual([
      "src/redis/scripts/x.lua:7: batchState(b, 'open', now): makes a batch move to open its header does not declare",
    ]);
    expect(withReal(script('none', "devState(id, site, 'registered', 'batched', now)"))).toEqual([
      "src/redis/scripts/x.lua:6: devState(id, site, 'registered', 'batched', now): makes device registered->batched, which src/domain/device-state.ts does not allow",
    ]);
    expect(withReal(script('none', 'devState(id, site, f[1], state, now)'))[0]).toContain('the target state must be a literal');
  });

  it('refuses a header that declares a move no call makes, or cannot be read', () => {
    expect(withReal(script('device acked->registered, acked->failed', "devState(id, site, 'acked', 'registered', now)"))).toEqual([
      'src/redis/scripts/x.lua: declares device acked->failed, but no devState/batchState call of its body makes it',
    ]);
    expect(withReal({ path: 'src/redis/scripts/x.lua', text: 'return 0\n' })).toEqual(['src/redis/scripts/x.lua: needs exactly one "-- transitions:" header line, has 0']);
    expect(withReal(script('devices a->b', ''))[0]).toContain('cannot read "devices a->b"');
    expect(withReal(script('device acked->done', ''))[0]).toContain('declares device acked->done: no such device state');
  });

  it('refuses a table move no script makes (the tables hold only what the code does)', () => {
    const device = DOMAIN_TABLES.device;
    const transitions = Object.fromEntries(DOMAIN_TABLES.states.device.map((s) => [s, device.next(s)]));
    transitions['failed'] = [...transitions['failed']!, 'batched'];
    const tables: Tables = { ...DOMAIN_TABLES, device: new StateMachine('device', transitions, device.initial) };
    expect(checkScripts(scripts, tables)).toEqual([
      'src/domain/device-state.ts: allows device failed->batched, but no Lua script declares it (the tables hold only what the code does)',
    ]);
  });
});
