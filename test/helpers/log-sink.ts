import { Writable } from 'node:stream';

/** Collects every line a pino logger writes, as text and parsed. */
export class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const l of chunk.toString('utf8').split('\n')) {
      if (l.trim()) {
        this.lines.push(l);
      }
    }
    cb();
  }
  get parsed(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  get text(): string {
    return this.lines.join('\n');
  }
}
