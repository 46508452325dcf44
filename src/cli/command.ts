/** One `fleet-enroll` sub-command. Each lives in src/cli/commands/<name>.ts and is listed in main.ts. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface Command {
  readonly name: string;
  /** one line for `fleet-enroll --help` */
  readonly summary: string;
  /** full text for `fleet-enroll <name> --help` */
  readonly usage: string;
  /** returns the process exit code; bad flags → throw UsageError (one clear line, exit 2) */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Bad flags or input on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command's flags: strict (an unknown or malformed flag throws, and main prints it as a usage error), no positionals. */
type FlagOptions = NonNullable<ParseArgsConfig['options']>;
type Flags<O extends FlagOptions> = ReturnType<typeof parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O }>>['values'];

export function parseFlags<const O extends FlagOptions>(argv: readonly string[], options: O): Flags<O> {
  return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
}
