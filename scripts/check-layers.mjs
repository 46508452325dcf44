#!/usr/bin/env node
/**
 * The dependency rule of docs/ARCHITECTURE.md, checked mechanically:
 *
 *   domain ← queues, adapters ← services ← workers, api ← app.ts, cli
 *   (config: domain only; emulator and device: domain only, plus their own files)
 *
 * It reads every import / export-from / dynamic import / require specifier under <root>/src with
 * regular expressions (no dependencies, so it runs before `npm ci` has finished anything fancy) and
 * fails, naming file and import, on any that crosses a layer the wrong way.
 *
 * usage: node scripts/check-layers.mjs [root]      (root defaults to the current directory)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which layers and packages each layer may import. `packages: '*'` = any npm package. */
const RULES = {
  // pure: no I/O, no SDK, no Node built-ins; zod is the one library allowed
  domain: { layers: ['domain'], packages: ['zod'], builtins: false },
  config: { layers: ['domain', 'config'], packages: [], builtins: true },
  queues: { layers: ['domain', 'config', 'queues'], packages: '*', builtins: true },
  adapters: { layers: ['domain', 'config', 'adapters'], packages: '*', builtins: true },
  services: {
    layers: ['domain', 'config', 'queues', 'adapters', 'services'],
    packages: '*',
    builtins: true,
    // the API states what it needs from services in src/api/services.ts; services implement it (types only)
    typeOnly: ['api/services.ts'],
  },
  workers: { layers: ['domain', 'config', 'queues', 'adapters', 'services', 'workers'], packages: '*', builtins: true },
  api: { layers: ['domain', 'config', 'queues', 'adapters', 'services', 'api'], packages: '*', builtins: true },
  // separate programs: the AWS stand-in and the device side know the domain, nothing of the orchestrator
  emulator: { layers: ['domain', 'emulator'], packages: '*', builtins: true },
  device: { layers: ['domain', 'device'], packages: '*', builtins: true },
  // composition roots
  cli: { layers: '*', packages: '*', builtins: true },
  app: { layers: '*', packages: '*', builtins: true },
};

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
  for (const file of sourceFiles(src)) {
    const inSrc = relative(src, file).split(sep).join('/');
    const layer = layerOf(inSrc);
    const rule = RULES[layer] ?? RULES.app;
    const shown = `src/${inSrc}`;
    for (const { specifier, typeOnly, line } of importsOf(readFileSync(file, 'utf8'))) {
      const where = `${shown}:${line}`;
      if (specifier.startsWith('.')) {
        const target = relative(src, resolve(dirname(file), specifier)).split(sep).join('/');
        if (target.startsWith('..')) {
          if (layer !== 'app' && layer !== 'cli') problems.push(`${where}: imports "${specifier}" from outside src/`);
          continue;
        }
        const targetLayer = layerOf(target);
        if (rule.layers === '*' || rule.layers.includes(targetLayer)) continue;
        const targetFile = target.replace(/\.js$/, '.ts');
        if (typeOnly && rule.typeOnly?.includes(targetFile)) continue;
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
  return problems;
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
