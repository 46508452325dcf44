/**
 * The registration command line, as a template split into argv items once, then filled per message.
 * Placeholders are substituted inside single argv items and the command runs without a shell, so an
 * activation code (or any value from the network) can never become a second argument or a shell command.
 */
import { ValidationError } from '../domain/errors.js';

export const DEFAULT_REGISTER_COMMAND = 'amazon-ssm-agent -register -code {code} -id {id} -region {region} -y';

export const PLACEHOLDERS = ['code', 'id', 'region', 'thingName', 'deviceId'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Readonly<Record<Placeholder, string>>;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Splits like a shell would for plain words and '…' / "…" quoting; nothing else is special. */
function splitWords(template: string, field: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (const ch of template) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new ValidationError([{ path: field, message: `unterminated ${quote} quote` }], 'registration command');
  if (inWord) words.push(word);
  return words;
}

export class RegistrationCommand {
  readonly argv: readonly string[];

  constructor(template: string = DEFAULT_REGISTER_COMMAND, field = 'registerCommand') {
    const argv = splitWords(template, field);
    if (argv.length === 0) throw new ValidationError([{ path: field, message: 'is empty' }], 'registration command');
    for (const item of argv) {
      for (const m of item.matchAll(PLACEHOLDER)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')) {
          throw new ValidationError(
            [{ path: field, message: `unknown placeholder {${m[1]}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})` }],
            'registration command',
          );
        }
      }
    }
    this.argv = argv;
  }

  /** argv with every placeholder filled in one pass (a value containing `{id}` stays as it is). */
  fill(values: PlaceholderValues): { file: string; args: string[] } {
    const filled = this.argv.map((item) => item.replace(PLACEHOLDER, (_, name: Placeholder) => values[name]));
    return { file: filled[0] ?? '', args: filled.slice(1) };
  }

  /** For logs: the command with the code shown as {code}. */
  describe(): string {
    return this.argv.join(' ');
  }
}
