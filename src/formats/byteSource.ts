/** Random access to bytes without holding them all: a file, a memory buffer, a downloaded fragment. */
export interface ByteSource {
  readonly size: number;
  /** up to length bytes at offset (fewer at the end); the view may be reused by the next call */
  read(offset: number, length: number): Uint8Array;
  /**
   * The source's own {@link ByteWindow}, when it has one (reads with no view per read); see
   * {@link byteWindow}, which gives every source one.
   */
  byteWindow?(): ByteWindow;
}

/**
 * A source's bytes read without making a view per read, for loops over many small headers: after
 * `fill(offset, length)`, with 0 ≤ offset ≤ the source's size, the source's bytes
 * [offset, min(offset + length, size)) are in `bytes`, the byte at offset x being `bytes[x - start]`,
 * and `end` is where the bytes held end (≥ that, ≤ size). `bytes`, `start` and `end` change with the
 * next fill (or read of the source): read them again after each call. Callers never write to them.
 */
export interface ByteWindow {
  bytes: Uint8Array;
  start: number;
  end: number;
  fill(offset: number, length: number): void;
}

/**
 * The source's own window, or one over its `read`: a view per fill, as reading it would be (and no
 * reuse of an earlier view, which another read of the source may have overwritten).
 */
export function byteWindow(source: ByteSource): ByteWindow {
  return source.byteWindow ? source.byteWindow() : new ReadWindow(source);
}

class ReadWindow implements ByteWindow {
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  constructor(private readonly source: ByteSource) {}

  fill(offset: number, length: number): void {
    this.bytes = this.source.read(offset, length);
    this.start = offset;
    this.end = offset + this.bytes.length;
  }
}

/** A ByteSource over bytes already in memory (views, no copies). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  const window: ByteWindow = { bytes, start: 0, end: bytes.length, fill: () => undefined };
  return {
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      const start = Math.max(0, Math.min(offset, bytes.length));
      const end = Math.max(start, Math.min(start + Math.max(0, length), bytes.length));
      return bytes.subarray(start, end);
    },
    byteWindow: () => window,
  };
}
