#!/usr/bin/env node
/**
 * The dependency rule of docs/ARCHITECTURE.md, checked mechanically:
 *
 *   domain ← redis, adapters ← services ← workers, api ← app.ts, cli
 *   (lua: the Lua script loader, beside domain; redis and adapters load their scripts with it)
 *   (mqtt: mqtt.js client helpers, beside domain; adapters and device use them)
 *   (config: domain only; emulator and device: domain only, plus their own files;
 *    devtools: dev-only code that no production layer may import — only cli, bench/ and test/ use it)
 *
 * It reads every import / export-from / dynamic import / require specifier under <root>/src with
 * regular expressions (no dependencies, so it runs before `npm ci` has finished anything fancy) and
 * fails, naming file and import, on any that crosses a layer the wrong way, and on every import cycle
 * between files of src/ (type-only imports included: a cycle of types is still two files that cannot be
 * read one after the other).
 *
 * usage: node scripts/check-layers.mjs [root]      (root defaults to the current directory)
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which layers and packages each layer may import. `packages: '*'` = any npm package. */
const RULES = {
  // pure: no I/O, no SDK, no Node built-ins; zod is the one library allowed
  domain: { layers: ['domain'], packages: ['zod'], builtins: false },
  config: { layers: ['domain', 'config'], packages: [], builtins: true },
  // the one loader of Redis Lua scripts: reads files, knows nothing of what the scripts do
  lua: { layers: ['lua'], packages: [], builtins: true },
  // helpers for an mqtt.js client, used by two programs (the orchestrator's adapters and the device side)
  mqtt: { layers: ['mqtt'], packages: ['mqtt'], builtins: true },
  redis: { layers: ['domain', 'config', 'lua', 'redis'], packages: '*', builtins: true },
  adapters: { layers: ['domain', 'config', 'lua', 'mqtt', 'adapters'], packages: '*', builtins: true },
  services: { layers: ['domain', 'config', 'redis', 'adapters', 'services'], packages: '*', builtins: true },
  workers: { layers: ['domain', 'config', 'redis', 'adapters', 'services', 'workers'], packages: '*', builtins: true },
  api: { layers: ['domain', 'config', 'redis', 'adapters', 'services', 'api'], packages: '*', builtins: true },
  // separate programs: the AWS stand-in and the device side know the domain, nothing of the orchestrator
  emulator: { layers: ['domain', 'emulator'], packages: '*', builtins: true },
  device: { layers: ['domain', 'mqtt', 'device'], packages: '*', builtins: true },
  // dev-only: spawners, key deleters and the like for the demo, bench and tests
  devtools: { layers: ['domain', 'config', 'redis', 'adapters', 'devtools'], packages: '*', builtins: true },
  // composition roots: the CLI (demo included) may use dev tooling, the production app may not
  cli: { layers: '*', packages: '*', builtins: true },
  app: { layers: '*', packages: '*', builtins: true },
};

/** Layers that run in production: none of them may import src/devtools. */
const PRODUCTION = new Set(['domain', 'config', 'lua', 'mqtt', 'redis', 'adapters', 'services', 'workers', 'api', 'app']);

/** AWS SDK clients live behind adapters (the emulator is a separate program and may use them too). */
const SDK = /^@aws-sdk\//;
const SDK_LAYERS = new Set(['adapters', 'emulator', 'cli', 'app']);

const SOURCE = /\.(?:[cm]?ts|[cm]?js|tsx)$/;
const BUILTINS = new Set(builtinModules);

/** The layer a file under src/ belongs to: its first folder, or config / app for top-level files. */
function layerOf(pathInSrc) {
  const [first, ...rest] = pathInSrc.split('/');
  if (rest.length === 0) return first.replace(/\.[^.]+$/, '') === 'config' ? 'config' : 'app';
  return first;
}

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE.test(name)) out.push(path);
  }
  return out;
}

/** Comments out, strings kept: `'redis://x'` must not look like a line comment. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`\\])\/\/.*$/gm, (m, before) => (m.startsWith('/*') ? m.replace(/[^\n]/g, ' ') : (before ?? '')));
}

const PATTERNS = [
  // import x from 'y' · import type { X } from 'y' · export { x } from 'y' · export * from 'y'
  /(?:^|[\s;}])(import|export)(\s+type)?\s+(?:[\w*${}\s,]+?\s+from\s*)?['"]([^'"\n]+)['"]/g,
  // import('y') · require('y')
  /(?:^|[^\w$.])(import|require)\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
];

/** Every module specifier in a source text, with its line and whether it is a type-only import. */
export function importsOf(text) {
  const clean = stripComments(text);
  const found = [];
  const lineAt = (index) => clean.slice(0, index).split('\n').length;
  for (const m of clean.matchAll(PATTERNS[0])) {
    found.push({ specifier: m[3], typeOnly: Boolean(m[2]), line: lineAt(m.index + m[0].indexOf(m[1])) });
  }
  for (const m of clean.matchAll(PATTERNS[1])) {
    found.push({ specifier: m[2], typeOnly: false, line: lineAt(m.index + m[0].indexOf(m[1])) });
  }
  return found;
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** One message per import that breaks the rule. */
export function checkLayers(root) {
  const src = join(resolve(root), 'src');
  const problems = [];
  const files = sourceFiles(src);
  /** file → the src files it imports, for the cycle check */
  const graph = new Map(files.map((f) => [f, []]));
  for (const file of files) {
    const inSrc = relative(src, file).split(sep).join('/');
    const layer = layerOf(inSrc);
    const rule = RULES[layer] ?? RULES.app;
    const shown = `src/${inSrc}`;
    for (const { specifier, line } of importsOf(readFileSync(file, 'utf8'))) {
      const where = `${shown}:${line}`;
      if (specifier.startsWith('.')) {
        const target = relative(src, resolve(dirname(file), specifier)).split(sep).join('/');
        if (target.startsWith('..')) {
          if (layer !== 'app' && layer !== 'cli') problems.push(`${where}: imports "${specifier}" from outside src/`);
          continue;
        }
        const targetLayer = layerOf(target);
        const resolved = resolveSource(resolve(dirname(file), specifier));
        if (resolved !== undefined) graph.get(file).push({ to: resolved, where });
        if (targetLayer === 'devtools' && PRODUCTION.has(layer)) {
          problems.push(`${where}: imports "${specifier}" (devtools) — production code (${layer}) may not import dev tooling`);
          continue;
        }
        if (rule.layers === '*' || rule.layers.includes(targetLayer)) continue;
        problems.push(`${where}: imports "${specifier}" (${targetLayer}) — ${layer} may import only ${rule.layers.join(', ')}`);
      } else if (specifier.startsWith('node:') || BUILTINS.has(packageName(specifier))) {
        if (!rule.builtins) problems.push(`${where}: imports "${specifier}" — ${layer} is pure and may not use Node built-ins`);
      } else {
        const name = packageName(specifier);
        if (rule.packages !== '*' && !rule.packages.includes(name)) {
          const allowed = rule.packages.length > 0 ? rule.packages.join(', ') : 'no packages';
          problems.push(`${where}: imports "${specifier}" — ${layer} may import only ${allowed}`);
        } else if (SDK.test(name) && !SDK_LAYERS.has(layer)) {
          problems.push(`${where}: imports "${specifier}" — AWS SDK clients belong in src/adapters`);
        }
      }
    }
  }
  for (const cycle of cyclesOf(graph)) {
    problems.push(`${cycle[0].where}: import cycle ${[...cycle.map((e) => e.from), cycle[0].from].map((f) => shownPath(src, f)).join(' → ')}`);
  }
  return problems;
}

const shownPath = (src, file) => `src/${relative(src, file).split(sep).join('/')}`;

/** The source file a relative specifier names (`./x.js` is `./x.ts` on disk), or undefined. */
function resolveSource(path) {
  const candidates = [path, path.replace(/\.([cm]?)js$/, '.$1ts'), path.replace(/\.js$/, '.tsx'), `${path}.ts`, join(path, 'index.ts')];
  return candidates.find((c) => SOURCE.test(c) && existsSync(c) && statSync(c).isFile());
}

/** One cycle per strongly connected component of more than one file (or a file importing itself). */
function cyclesOf(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const connect = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v)) {
      if (!index.has(to)) {
        connect(to);
        low.set(v, Math.min(low.get(v), low.get(to)));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v), index.get(to)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v).some((e) => e.to === v)) components.push(new Set(component));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  // within each component, walk from its first file along edges inside it until a file repeats
  return components.map((members) => {
    const start = [...members].sort()[0];
    const path = [];
    const seen = new Map();
    let at = start;
    while (!seen.has(at)) {
      seen.set(at, path.length);
      const edge = graph.get(at).find((e) => members.has(e.to));
      path.push({ from: at, where: edge.where });
      at = edge.to;
    }
    return path.slice(seen.get(at));
  });
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = process.argv[2] ?? process.cwd();
  const problems = checkLayers(root);
  if (problems.length > 0) {
    process.stderr.write(`check-layers: ${problems.length} import(s) break the dependency rule (docs/ARCHITECTURE.md "Layers"):\n`);
    for (const p of problems) process.stderr.write(`  ${p}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('check-layers: every import follows the dependency rule\n');
  }
}
