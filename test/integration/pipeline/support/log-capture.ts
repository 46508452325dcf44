/** Every log line a test's orchestrator writes, kept in memory (to search for secrets). */
import { Writable } from 'node:stream';

export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }

  get text(): string {
    return this.lines.join('');
  }
}
