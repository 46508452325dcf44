/**
 * bench/README.md's figures tables from the result files.
 *   npm run bench:tables                       the latest result of each scenario, as markdown
 *   npm run bench:tables -- FILE.json …        those result files
 *   npm run bench:tables -- --readme [FILE]    rewrite the generated sections of bench/README.md (or FILE) in place
 *                                              (`targets`: the performance targets against the latest results)
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderTargets } from './targets-table.js';
import { ReadmeTablesError, renderResult, renderSection, rewriteSections, scenarioOfFile, type NamedResult, type ResultFile } from './readme-tables.js';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const README = fileURLToPath(new URL('./README.md', import.meta.url));

const load = (file: string): NamedResult => ({ path: file.replace(/^.*\/bench\//, 'bench/'), result: JSON.parse(readFileSync(file, 'utf8')) as ResultFile });

function allResults(): NamedResult[] {
  return readdirSync(RESULTS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => load(RESULTS + f));
}

function main(argv: readonly string[]): number {
  try {
    if (argv[0] === '--readme') {
      const file = argv[1] ?? README;
      const results = allResults();
      // `targets`: the contract's performance targets against the latest results; anything else names one result
      writeFileSync(file, rewriteSections(readFileSync(file, 'utf8'), (selector) => (selector.trim() === 'targets' ? renderTargets(results) : renderSection(results, selector))));
      process.stderr.write(`latest-tables: rewrote the generated sections of ${file}\n`);
      return 0;
    }
    let picked: NamedResult[];
    if (argv.length > 0) picked = argv.map(load);
    else {
      const latest = new Map<string, NamedResult>();
      for (const r of allResults()) latest.set(scenarioOfFile(r.path), r);
      picked = [...latest.values()];
    }
    for (const r of picked) process.stdout.write(`### ${r.result.scenario}\n\n${renderResult(r)}\n\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ReadmeTablesError)) throw err;
    process.stderr.write(`latest-tables: ${err.message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
