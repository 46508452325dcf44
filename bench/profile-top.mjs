#!/usr/bin/env node
/**
 * Top self-time functions (and files) of a V8 .cpuprofile (`node --cpu-prof`): how the benchmarks' bottlenecks
 * were found. usage: node bench/profile-top.mjs FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.mjs FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const files = new Map();
for (const [id, us] of self) {
  const { callFrame: c } = byId.get(id);
  const where = c.url ? c.url.replace(/^.*\/(node_modules\/(@[^/]+\/)?[^/]+|src|bench)\//, '$1/') : '(native)';
  const key = `${c.functionName || '(anonymous)'}  ${where}:${c.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const group = c.url ? where.replace(/^(node_modules\/(@[^/]+\/)?[^/]+).*$/, '$1') : c.functionName;
  files.set(group, (files.get(group) ?? 0) + us);
}
const print = (title, map) => {
  process.stdout.write(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled)\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    process.stdout.write(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}\n`);
  }
};
print('self time by function', fn);
print('self time by file / package', files);
