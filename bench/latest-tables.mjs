#!/usr/bin/env node
/**
 * Markdown tables of result files for bench/README.md: the latest result of each scenario, or the files given.
 * usage: node bench/latest-tables.mjs [results/FILE.json …]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./results/', import.meta.url));
let files = process.argv.slice(2);
if (files.length === 0) {
  const latest = new Map();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) latest.set(f.replace(/^.*Z-/, '').replace(/\.json$/, ''), dir + f);
  files = [...latest.values()];
}
for (const file of files) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const cell = (v) => String(typeof v === 'number' ? v.toLocaleString('en-US') : (v ?? '')).replace(/\|/g, '\\|');
  process.stdout.write(`### ${r.scenario}\n\n\`${r.command}\` — ${r.startedAt} → ${r.finishedAt ?? '?'}, load average at end ${(r.loadAverageAtEnd ?? []).join(' / ')} (\`${file.replace(/^.*\/bench\//, 'bench/')}\`)\n\n`);
  process.stdout.write('| figure | value | note |\n|---|--:|---|\n');
  for (const [figure, value, note] of r.table) process.stdout.write(`| ${cell(figure)} | ${cell(value)} | ${cell(note)} |\n`);
  process.stdout.write('\n');
}
