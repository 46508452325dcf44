/**
 * Registers by running the registration command (default `amazon-ssm-agent -register …`) without a shell,
 * then reads the managed node id the agent wrote to its registration file.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import type { CredentialsMessage } from '../domain/messages.js';
import { readManagedNodeId } from './registration-file.js';
import { RegistrationCommand } from './registration-command.js';
import { RegistrationError, type Registrar } from './registrar.js';
import { redact } from './secret-redactor.js';

export interface CommandRegistrarOptions {
  readonly command: RegistrationCommand;
  readonly registrationFile: string;
  /** the agent's own registration takes seconds; a hung one must not block the device forever */
  readonly timeoutMs?: number;
  /** pass this Region to the command instead of the message's (a device pinned to one Region) */
  readonly region?: string | undefined;
}

interface ExecOutcome {
  error: ExecFileException | null;
  stdout: string;
  stderr: string;
}

/** The last non-empty lines of the command's output: what a person needs to see why it failed. */
function tail(text: string, lines = 3): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(-lines)
    .join(' | ');
}

export class CommandRegistrar implements Registrar {
  private readonly options: CommandRegistrarOptions & { timeoutMs: number };

  constructor(options: CommandRegistrarOptions) {
    this.options = { timeoutMs: 120_000, ...options };
  }

  async register(credentials: CredentialsMessage, thingName: string): Promise<string> {
    const { file, args } = this.options.command.fill({
      code: credentials.activationCode,
      id: credentials.activationId,
      region: this.options.region ?? credentials.region,
      thingName,
      deviceId: credentials.deviceId,
    });
    const outcome = await new Promise<ExecOutcome>((resolve) => {
      execFile(
        file,
        args,
        { timeout: this.options.timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => resolve({ error, stdout: String(stdout), stderr: String(stderr) }),
      );
    });
    if (outcome.error) throw this.describeFailure(file, outcome, credentials.activationCode);
    return readManagedNodeId(this.options.registrationFile).catch((err: Error) => {
      throw new RegistrationError(redact(err.message, [credentials.activationCode]), true);
    });
  }

  private describeFailure(file: string, { error, stdout, stderr }: ExecOutcome, code: string): RegistrationError {
    const output = redact(tail(stderr) || tail(stdout), [code]);
    if (error?.code === 'ENOENT') return new RegistrationError(`registration command not found: ${redact(file, [code])}`, true);
    if (error?.killed) {
      return new RegistrationError(`registration command timed out after ${Math.round(this.options.timeoutMs / 1000)} s`, false);
    }
    const status = typeof error?.code === 'number' ? `status ${error.code}` : `signal ${error?.signal ?? 'unknown'}`;
    return new RegistrationError(`registration command exited with ${status}${output ? `: ${output}` : ''}`, true);
  }
}
