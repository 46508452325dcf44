/**
 * The one loader of our Redis Lua scripts. A script is a `.lua` file; a line `--- @include "name"` is
 * replaced by a fragment: one the caller generated from TypeScript declarations (key segments, field names:
 * declared once, in TS) or else the file `includes/<name>.lua` beside the script. Includes may include;
 * each fragment goes in once, where it is first named. The files are read next to the sources
 * (`new URL(…, import.meta.url)`): the package runs its sources through tsx, with no build step.
 */
import { readFileSync } from 'node:fs';

const INCLUDE = /^--- @include "([\w-]+)"\s*$/gm;

export interface ScriptSources {
  /** the folder the `.lua` files are in, e.g. `new URL('./scripts/', import.meta.url)` */
  readonly dir: URL;
  /** fragments built from TypeScript, by include name */
  readonly generated?: Readonly<Record<string, string>>;
}

/** The text Redis runs for `<dir>/<name>.lua`, includes resolved. */
export function loadLuaScript(sources: ScriptSources, name: string): string {
  return expand(sources, readFileSync(new URL(`${name}.lua`, sources.dir), 'utf8'), new Set(), [name]);
}

function expand(sources: ScriptSources, text: string, included: Set<string>, chain: readonly string[]): string {
  return text.replace(INCLUDE, (_line, include: string) => {
    if (chain.includes(include)) throw new Error(`Lua include cycle: ${[...chain, include].join(' → ')}`);
    if (included.has(include)) return `-- (${include} included above)`;
    included.add(include);
    const generated = sources.generated?.[include];
    const fragment = generated ?? readFileSync(new URL(`includes/${include}.lua`, sources.dir), 'utf8');
    return expand(sources, fragment, included, [...chain, include]).trimEnd();
  });
}

/** `local NAME = {key='value', …}`: a TypeScript table of strings handed to Lua. */
export function luaTable(name: string, entries: Readonly<Record<string, string>>): string {
  const fields = Object.entries(entries).map(([k, v]) => {
    if (!/^[A-Za-z_]\w*$/.test(k) || !/^[\w:-]*$/.test(v)) throw new Error(`not a plain Lua table entry: ${k}=${v}`);
    return `${k}='${v}'`;
  });
  return `local ${name} = {${fields.join(', ')}}`;
}
