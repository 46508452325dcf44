/**
 * The domain's state tables are the truth about the Lua scripts (src/**\/*.lua, includes/ aside), checked
 * mechanically by `npm run lint`:
 *
 *  - each script's header declares the moves it makes, in one line:
 *      -- transitions: device accepted->batched; batch new->open      (`new`: a new record; or `none`)
 *    and every declared move must be one src/domain/device-state.ts / batch-state.ts allows;
 *  - every call of the state-change helpers in its body — devState(id, site, from, to, now) and
 *    batchState(b, to, now) — must make a declared move (a literal `from` must match; `nil` is `new`; any
 *    other `from` is read at run time, so only `to` is matched), and every declared move must have a call;
 *  - every move and start state in the tables is declared by some script: the tables hold only what the
 *    code does.
 *
 * usage: tsx scripts/check-lua-transitions.ts [root]      (root defaults to the current directory)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BATCH_STATES, batchStateMachine } from '../src/domain/batch-state.js';
import { DEVICE_STATES, deviceStateMachine } from '../src/domain/device-state.js';
import type { StateMachine } from '../src/domain/state-machine.js';

export type Subject = 'device' | 'batch';

/** `from` = null: a new record. */
export interface Move {
  readonly subject: Subject;
  readonly from: string | null;
  readonly to: string;
}

/** A helper call in a script body; `from` = null: `nil` (a new record), undefined: read at run time. */
export interface StateCall {
  readonly subject: Subject;
  readonly from: string | null | undefined;
  readonly to: string | undefined;
  readonly line: number;
  readonly text: string;
}

export interface LuaScript {
  /** shown in messages, e.g. src/redis/scripts/cut.lua */
  readonly path: string;
  readonly text: string;
}

export interface Tables {
  readonly device: StateMachine<string>;
  readonly batch: StateMachine<string>;
  readonly states: Readonly<Record<Subject, readonly string[]>>;
}

export const DOMAIN_TABLES: Tables = {
  device: deviceStateMachine as StateMachine<string>,
  batch: batchStateMachine as StateMachine<string>,
  states: { device: DEVICE_STATES, batch: BATCH_STATES },
};

const TABLE_FILES: Record<Subject, string> = { device: 'src/domain/device-state.ts', batch: 'src/domain/batch-state.ts' };

export const showMove = (m: Move): string => `${m.subject} ${m.from ?? 'new'}->${m.to}`;

/** The moves a script's header declares, or the reason it cannot be read. */
export function declaredMoves(text: string): Move[] | string {
  const lines = [...text.matchAll(/^-- transitions:(.*)$/gm)];
  if (lines.length !== 1) return `needs exactly one "-- transitions:" header line, has ${lines.length}`;
  const value = lines[0]![1]!.trim();
  if (value === 'none') return [];
  const moves: Move[] = [];
  for (const group of value.split(';').map((g) => g.trim())) {
    const m = /^(device|batch)\s+(.+)$/.exec(group);
    if (!m) return `cannot read "${group}" (want "device a->b, c->d" or "batch a->b")`;
    const subject = m[1] as Subject;
    for (const move of m[2]!.split(',').map((x) => x.trim())) {
      const mm = /^(\w+)->(\w+)$/.exec(move);
      if (!mm) return `cannot read the move "${move}" (want "from->to", from = new for a new record)`;
      moves.push({ subject, from: mm[1] === 'new' ? null : mm[1]!, to: mm[2]! });
    }
  }
  return moves;
}

/** Lua comments blanked out (newlines kept, so line numbers stay). */
function withoutComments(text: string): string {
  return text.replace(/--\[\[[\s\S]*?\]\]|--.*$/gm, (c) => c.replace(/[^\n]/g, ' '));
}

/** The arguments of the call whose `(` is at `open`, split at top-level commas, and where it ends. */
function callArguments(text: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i).trim());
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return { args, end: text.length };
}

/** `'x'` → x; anything else (a value read at run time) → undefined. */
const literalState = (arg: string | undefined): string | undefined => /^(['"])(\w+)\1$/.exec(arg ?? '')?.[2];

/** Every devState / batchState call in a script body (not their definitions in the includes). */
export function stateCalls(text: string): StateCall[] {
  const clean = withoutComments(text);
  const calls: StateCall[] = [];
  for (const m of clean.matchAll(/(?<![\w.:])(function\s+)?(devState|batchState)\s*\(/g)) {
    if (m[1]) continue;
    const { args, end } = callArguments(clean, m.index + m[0].length - 1);
    const line = clean.slice(0, m.index).split('\n').length;
    const shown = clean.slice(m.index, end);
    if (m[2] === 'devState') calls.push({ subject: 'device', from: args[2] === 'nil' ? null : literalState(args[2]), to: literalState(args[3]), line, text: shown });
    else calls.push({ subject: 'batch', from: undefined, to: literalState(args[1]), line, text: shown });
  }
  return calls;
}

const allowed = (tables: Tables, m: Move): boolean => (m.from === null ? tables[m.subject].canStart(m.to) : tables[m.subject].canTransition(m.from, m.to));

/** The declared moves a call can make. */
function madeBy(call: StateCall, declared: readonly Move[]): Move[] {
  return declared.filter((d) => {
    if (d.subject !== call.subject || d.to !== call.to) return false;
    if (call.subject === 'batch') return true; // batchState reads `from` from the hash (null: a new batch)
    if (call.from === undefined) return d.from !== null;
    return d.from === call.from;
  });
}

/** One message per problem; none when the scripts and the domain tables agree. */
export function checkScripts(scripts: readonly LuaScript[], tables: Tables = DOMAIN_TABLES): string[] {
  const problems: string[] = [];
  const declaredAnywhere = new Set<string>();
  for (const script of scripts) {
    const declared = declaredMoves(script.text);
    if (typeof declared === 'string') {
      problems.push(`${script.path}: ${declared}`);
      continue;
    }
    for (const d of declared) {
      declaredAnywhere.add(showMove(d));
      if (!tables.states[d.subject].includes(d.to) || (d.from !== null && !tables.states[d.subject].includes(d.from))) {
        problems.push(`${script.path}: declares ${showMove(d)}: no such ${d.subject} state`);
      } else if (!allowed(tables, d)) {
        problems.push(`${script.path}: declares ${showMove(d)}, which ${TABLE_FILES[d.subject]} does not allow`);
      }
    }
    const calls = stateCalls(script.text);
    for (const call of calls) {
      const where = `${script.path}:${call.line}: ${call.text}`;
      if (call.to === undefined) {
        problems.push(`${where}: the target state must be a literal, so the move can be checked`);
        continue;
      }
      if (call.subject === 'device' && call.from !== undefined) {
        const move: Move = { subject: 'device', from: call.from, to: call.to };
        if (!allowed(tables, move)) {
          problems.push(`${where}: makes ${showMove(move)}, which ${TABLE_FILES.device} does not allow`);
          continue;
        }
      }
      if (madeBy(call, declared).length === 0) problems.push(`${where}: makes a ${call.subject} move to ${call.to} its header does not declare`);
    }
    for (const d of declared) {
      if (!calls.some((c) => madeBy(c, [d]).length > 0)) problems.push(`${script.path}: declares ${showMove(d)}, but no devState/batchState call of its body makes it`);
    }
  }
  for (const subject of ['device', 'batch'] as const) {
    const table: Move[] = [
      ...tables[subject].initial.map((to) => ({ subject, from: null, to })),
      ...tables[subject].moves().map(([from, to]) => ({ subject, from, to })),
    ];
    for (const m of table) {
      if (!declaredAnywhere.has(showMove(m))) problems.push(`${TABLE_FILES[subject]}: allows ${showMove(m)}, but no Lua script declares it (the tables hold only what the code does)`);
    }
  }
  return problems;
}

/** The scripts under <root>/src: every `.lua` file outside an `includes/` folder. */
export function readScripts(root: string): LuaScript[] {
  const src = join(resolve(root), 'src');
  const found: LuaScript[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'includes') walk(path);
      } else if (name.endsWith('.lua')) {
        found.push({ path: `src/${relative(src, path).split(sep).join('/')}`, text: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(src);
  return found;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = process.argv[2] ?? process.cwd();
  const scripts = readScripts(root);
  const problems = checkScripts(scripts);
  if (problems.length > 0) {
    process.stderr.write(`check-lua-transitions: ${problems.length} problem(s) between the Lua scripts and the domain state tables:\n`);
    for (const p of problems) process.stderr.write(`  ${p}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`check-lua-transitions: the ${scripts.length} Lua scripts make only moves the domain tables allow, and every move in them\n`);
  }
}
