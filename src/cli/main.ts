/** `fleet-enroll` entry point: picks the sub-command, prints help, maps errors to one line + exit code. */
import '../node-warnings.js';
import { UsageError, type CliIo, type Command } from './command.js';
import { commands } from './commands/index.js';
import { printable } from '../domain/printable-text.js';

function help(all: readonly Command[]): string {
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    'usage: fleet-enroll <command> [options]',
    '',
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'fleet-enroll <command> --help shows the options of one command.',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help(commands) + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`fleet-enroll: unknown command "${printable(name)}" (try fleet-enroll --help)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`fleet-enroll ${name}: ${printable((err as Error).message)}\n`);
      return 2;
    }
    io.stderr.write(`fleet-enroll ${name}: ${printable(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && /fleet-enroll(\.js)?$|cli[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
  process.exitCode = code;
  // the command is over: a socket still reconnecting somewhere must not keep the process alive
  setTimeout(() => process.exit(code), 3_000).unref();
}
