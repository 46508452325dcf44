/**
 * Tees this process's stdout and stderr into a buffer while it runs (everything still reaches the terminal):
 * in-process pipeline tests search it for secrets, so a stray `console.error(code)` or a write to stderr
 * outside the logger is caught, not only what goes through pino.
 */
type Write = typeof process.stdout.write;

export class OutputCapture {
  private readonly chunks: string[] = [];
  private readonly restore: (() => void)[] = [];

  static start(): OutputCapture {
    const capture = new OutputCapture();
    for (const stream of [process.stdout, process.stderr]) {
      const original: Write = stream.write.bind(stream) as Write;
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        capture.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      }) as Write;
      capture.restore.push(() => (stream.write = original));
    }
    return capture;
  }

  get text(): string {
    return this.chunks.join('');
  }

  stop(): void {
    for (const undo of this.restore.splice(0)) undo();
  }
}
