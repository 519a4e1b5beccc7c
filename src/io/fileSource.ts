import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../formats/byteSource';

/** What a read that misses the buffer fetches at least: a few element or box headers. */
const MIN_READ_AHEAD = 1024;
/** The most a miss fetches beyond what was asked, reached while the reads run on sequentially. */
const MAX_READ_AHEAD = 64 * 1024;

/**
 * A file as a ByteSource: positioned reads into one reused buffer, so walking the headers of a
 * multi-gigabyte file costs about one syscall per header that is not near the last one, and constant
 * memory.
 *
 * The cost of a read is a syscall plus a copy out of the page cache, so how much a miss fetches adapts
 * to the reading: a header far from the previous read (the next block, 40 kB of frame data further)
 * fetches 1 KiB; reads that go on where the buffer ends (a run of small elements, a moov read piece by
 * piece) double that, up to 64 KiB. A read longer than that (codec private data, a frame, a whole moof)
 * fetches exactly what was asked.
 */
export class FileSource implements ByteSource, Disposable {
  readonly size: number;
  private buffer = new Uint8Array(MAX_READ_AHEAD);
  /** The file's bytes [bufferStart, bufferEnd) are in buffer[0, bufferEnd - bufferStart). */
  private bufferStart = 0;
  private bufferEnd = 0;
  private readAhead = MIN_READ_AHEAD;
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    const bufferStart = this.bufferStart;
    if (offset >= bufferStart && length >= 0 && offset + length <= this.bufferEnd) {
      return this.buffer.subarray(offset - bufferStart, offset + length - bufferStart);
    }
    return this.readMissed(offset, length);
  }

  /** A read outside the buffer (or with odd arguments): clamped to the file, then fetched. */
  private readMissed(offset: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (start >= this.bufferStart && end <= this.bufferEnd) {
      return this.buffer.subarray(start - this.bufferStart, end - this.bufferStart);
    }
    const continues = start >= this.bufferStart && start <= this.bufferEnd;
    this.readAhead = continues ? Math.min(this.readAhead * 2, MAX_READ_AHEAD) : MIN_READ_AHEAD;
    const wanted = Math.min(Math.max(end - start, this.readAhead), this.size - start);
    if (wanted > this.buffer.length) this.buffer = new Uint8Array(wanted);
    this.bufferStart = start;
    this.bufferEnd = start + readSync(this.fd, this.buffer, 0, wanted, start);
    return this.buffer.subarray(0, Math.min(end, this.bufferEnd) - start);
  }

  close(): void {
    closeSync(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
