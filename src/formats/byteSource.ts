/** Random access to bytes without holding them all: a file, a memory buffer, a downloaded fragment. */
export interface ByteSource {
  readonly size: number;
  /** up to length bytes at offset (fewer at the end); the view may be reused by the next call */
  read(offset: number, length: number): Uint8Array;
}

/** A ByteSource over bytes already in memory (views, no copies). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      const start = Math.max(0, Math.min(offset, bytes.length));
      const end = Math.max(start, Math.min(start + Math.max(0, length), bytes.length));
      return bytes.subarray(start, end);
    },
  };
}
