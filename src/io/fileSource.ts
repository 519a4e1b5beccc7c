import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource, ByteWindow } from '../formats/byteSource';

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
 *
 * It is its own {@link ByteWindow}: `bytes` is the buffer, holding the file's bytes [start, end).
 */
export class FileSource implements ByteSource, ByteWindow, Disposable {
  readonly size: number;
  /** The buffer (ByteWindow): the file's bytes [start, end) are in bytes[0, end - start). Read-only for callers. */
  bytes: Uint8Array = new Uint8Array(MAX_READ_AHEAD);
  start = 0;
  end = 0;
  private readAhead = MIN_READ_AHEAD;
  private readonly fd: number;

  /** `input`: a path, or a descriptor open for reading, which close() closes. */
  constructor(input: string | number) {
    this.fd = typeof input === 'number' ? input : openSync(input, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    const start = this.start;
    if (offset >= start && length >= 0 && offset + length <= this.end) {
      return this.bytes.subarray(offset - start, offset + length - start);
    }
    return this.readMissed(offset, length);
  }

  byteWindow(): ByteWindow {
    return this;
  }

  fill(offset: number, length: number): void {
    if (offset >= this.start && offset + length <= this.end) return;
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (start < this.start || end > this.end) this.load(start, end);
  }

  /** A read outside the buffer (or with odd arguments): clamped to the file, then fetched. */
  private readMissed(offset: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (start < this.start || end > this.end) this.load(start, end);
    return this.bytes.subarray(start - this.start, Math.min(end, this.end) - this.start);
  }

  /** Fetches [start, end) (clamped to the file) and what the read-ahead adds into the buffer. */
  private load(start: number, end: number): void {
    const continues = start >= this.start && start <= this.end;
    this.readAhead = continues ? Math.min(this.readAhead * 2, MAX_READ_AHEAD) : MIN_READ_AHEAD;
    const wanted = Math.min(Math.max(end - start, this.readAhead), this.size - start);
    if (wanted > this.bytes.length) this.bytes = new Uint8Array(wanted);
    this.start = start;
    this.end = start + readSync(this.fd, this.bytes, 0, wanted, start);
  }

  close(): void {
    closeSync(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
