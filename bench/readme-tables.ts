/**
 * bench/README.md's figures come from result files, not from hands: a result file rendered as markdown, the
 * result a selector names, and the README's generated sections rewritten in place. A section is
 *
 *   <!-- tables:begin latest e2e devices=100000 -->
 *   …generated, replaced on every rewrite…
 *   <!-- tables:end -->
 *
 * where the selector is `latest <scenario> [option=value …]` (the newest result of that scenario whose
 * `options` match) or a result file's path (`bench/results/<file>.json`). Everything outside the markers is
 * left as written. Pure: the caller reads and writes the files.
 */
export interface ResultTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface ResultFile {
  readonly scenario: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly command: string;
  readonly loadAverageAtEnd?: readonly number[];
  readonly table: readonly (readonly [string, string | number, string?])[];
  readonly tables?: readonly ResultTable[];
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface NamedResult {
  /** the path as the README cites it: bench/results/<file>.json */
  readonly path: string;
  readonly result: ResultFile;
}

export class ReadmeTablesError extends Error {
  override readonly name = 'ReadmeTablesError';
}

/** a well-formed `latest …` selector that no result file matches (yet) */
export class NoResultError extends ReadmeTablesError {}

const BEGIN = /^<!-- tables:begin (.+?) -->$/;
const END = '<!-- tables:end -->';

const cell = (v: unknown): string => String(typeof v === 'number' ? v.toLocaleString('en-US') : (v ?? '')).replace(/\|/g, '\\|');

function markdownTable(header: readonly string[], rows: readonly (readonly unknown[])[], rightAligned: (i: number) => boolean): string {
  const lines = [`| ${header.map(cell).join(' | ')} |`, `|${header.map((_, i) => (rightAligned(i) ? '--:' : '---')).join('|')}|`];
  for (const r of rows) lines.push(`| ${header.map((_, i) => cell(r[i])).join(' | ')} |`);
  return lines.join('\n');
}

const numeric = (v: unknown): boolean => typeof v === 'number' || /^-?[\d,.]+$/.test(String(v));
/** columns whose every cell is a number read best right-aligned */
const numericColumns = (rows: readonly (readonly unknown[])[]) => (i: number): boolean => rows.length > 0 && rows.every((r) => numeric(r[i]));

/** the command, when and under what load it ran, the file; the figures table; each extra table under its title */
export function renderResult({ path, result: r }: NamedResult): string {
  const parts = [
    `\`${r.command}\` — ${r.startedAt} → ${r.finishedAt ?? '?'}, load average at end ${(r.loadAverageAtEnd ?? []).join(' / ')} (\`${path}\`)`,
    markdownTable(['figure', 'value', 'note'], r.table, (i) => i === 1),
  ];
  for (const t of r.tables ?? []) parts.push(`${t.title}:`, markdownTable(t.header, t.rows, numericColumns(t.rows)));
  return parts.join('\n\n');
}

/** the scenario a result file's name says (`<ISO time>-<scenario>.json`) */
export const scenarioOfFile = (name: string): string => name.replace(/^.*\d{3}Z-/, '').replace(/\.json$/, '');

/** the result a selector names, among results sorted oldest first */
export function select(results: readonly NamedResult[], selector: string): NamedResult {
  const words = selector.trim().split(/\s+/);
  if (words[0] !== 'latest') {
    const byPath = results.find((r) => r.path === selector.trim());
    if (!byPath) throw new ReadmeTablesError(`no result file ${selector.trim()}`);
    return byPath;
  }
  const [, scenario, ...filters] = words;
  if (!scenario) throw new ReadmeTablesError(`"${selector}": latest <scenario> [option=value …]`);
  const wanted = filters.map((f) => {
    const m = /^([\w.]+)=(.*)$/.exec(f);
    if (!m) throw new ReadmeTablesError(`"${selector}": a filter is option=value, got "${f}"`);
    return [m[1]!, m[2]!] as const;
  });
  const found = results.filter((r) => r.result.scenario === scenario && wanted.every(([k, v]) => String(r.result.options?.[k] ?? '') === v)).at(-1);
  if (!found) throw new NoResultError(`no result matches "${selector}"`);
  return found;
}

/** a section's text: the selected result, or, when none matches yet, a line saying so and how to get one */
export function renderSection(results: readonly NamedResult[], selector: string): string {
  try {
    return renderResult(select(results, selector));
  } catch (err) {
    if (!(err instanceof NoResultError)) throw err;
    return `_No result file matches \`${selector}\` yet: run the scenario (\`npm run bench -- --scenario …\`), then \`npm run bench:tables -- --readme\`._`;
  }
}

/** the README with every generated section rendered again by `render(selector)`; throws on unbalanced markers */
export function rewriteSections(readme: string, render: (selector: string) => string): string {
  const lines = readme.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i]!.trim());
    if (lines[i]!.trim() === END) throw new ReadmeTablesError(`line ${i + 1}: ${END} without a begin`);
    out.push(lines[i]!);
    if (!begin) continue;
    const end = lines.findIndex((l, j) => j > i && (l.trim() === END || BEGIN.test(l.trim())));
    if (end < 0 || lines[end]!.trim() !== END) throw new ReadmeTablesError(`line ${i + 1}: "${begin[1]}" has no ${END} before the next section`);
    // blank lines around: the markers stay HTML comments, the table stays a table
    out.push('', render(begin[1]!), '', END);
    i = end;
  }
  return out.join('\n');
}
