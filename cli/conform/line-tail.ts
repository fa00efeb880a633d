import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Follows a file another process appends lines to: each poll hands on the complete lines
 * written since the last one (a line still being written waits for the next poll).
 */
export class LineTail {
  private offset: number;
  private rest = '';

  /** `fromEnd`: skip what the file already holds. */
  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
    fromEnd = false,
  ) {
    this.offset = fromEnd && existsSync(file) ? statSync(file).size : 0;
  }

  poll(): void {
    if (!existsSync(this.file)) return;
    const size = statSync(this.file).size;
    if (size <= this.offset) return;
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const lines = (this.rest + buf.toString('utf8')).split('\n');
      this.rest = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) this.onLine(l);
    } finally {
      closeSync(fd);
    }
  }
}
