/**
 * One transient status line on stderr. On a terminal it is redrawn in place; otherwise (CI,
 * redirected output) a line is printed at most every few seconds so logs stay short.
 */
export class Progress {
  private readonly tty: boolean;
  private lastPrinted = 0;
  private shown = false;

  private readonly stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.tty = stream.isTTY === true;
  }

  update(text: string): void {
    if (this.tty) {
      const width = (this.stream.columns || 100) - 1;
      this.stream.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      this.shown = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPrinted < 3000) return;
    this.lastPrinted = now;
    this.stream.write(`${text}\n`);
  }

  /** A permanent line (e.g. a warning) that does not get overwritten. */
  log(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  clear(): void {
    if (this.tty && this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
