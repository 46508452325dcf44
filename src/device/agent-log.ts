/** Where the device agent reports what it does. Every line is already free of activation codes. */
export interface AgentLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** `2026-01-01T00:00:00.000Z info message` lines on one stream (a device's journal or a terminal). */
export class LineLog implements AgentLog {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => Date = () => new Date(),
  ) {}

  info(message: string): void {
    this.write('info', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  error(message: string): void {
    this.write('error', message);
  }

  private write(level: string, message: string): void {
    this.out.write(`${this.now().toISOString()} ${level} ${message}\n`);
  }
}
