import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../formats/byteSource';

const WINDOW = 64 * 1024;

/**
 * A file as a ByteSource: positioned reads into one reused window, so walking the headers of a
 * multi-gigabyte file costs a few syscalls per element and constant memory.
 */
export class FileSource implements ByteSource, Disposable {
  readonly size: number;
  private window = new Uint8Array(WINDOW);
  private windowStart = 0;
  private windowLength = 0;
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (start >= this.windowStart && end <= this.windowStart + this.windowLength) {
      return this.window.subarray(start - this.windowStart, end - this.windowStart);
    }
    const wanted = Math.max(end - start, WINDOW);
    if (wanted > this.window.length) this.window = new Uint8Array(wanted);
    this.windowStart = start;
    this.windowLength = readSync(this.fd, this.window, 0, Math.min(wanted, this.size - start), start);
    return this.window.subarray(0, Math.min(end - start, this.windowLength));
  }

  close(): void {
    closeSync(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
