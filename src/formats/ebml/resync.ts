import type { ByteSource } from '../byteSource';
import { vintWidth } from './vint';

/** The first read of a scan; each further one doubles, up to the largest, as long stretches (preallocated zeros) take fewer reads. */
const FIRST_SCAN_CHUNK = 64 * 1024;
const MAX_SCAN_CHUNK = 4 * 1024 * 1024;

/**
 * Finds the next offset in [from, end) where one of the 4-byte `syncIds` starts, followed by a valid size
 * byte: where to carry on after damaged bytes. Returns `end` when there is none. Reads the range in
 * chunks; the cost is in the damaged bytes only.
 */
export function findSyncPoint(source: ByteSource, syncIds: ReadonlySet<number>, from: number, end: number): number {
  const firstBytes = new Uint8Array(256);
  for (const id of syncIds) firstBytes[id >>> 24] = 1;
  const stop = Math.min(end, source.size);
  for (let chunkStart = from, chunk = FIRST_SCAN_CHUNK; chunkStart + 5 <= stop; chunkStart += chunk, chunk = Math.min(chunk * 2, MAX_SCAN_CHUNK)) {
    // Chunks overlap by 4 bytes so an id across a boundary is still seen.
    const bytes = source.read(chunkStart, Math.min(chunk + 4, stop - chunkStart));
    const last = Math.min(chunk, bytes.length - 4);
    for (let i = 0; i < last; i++) {
      if (firstBytes[bytes[i] ?? 0] === 0) continue;
      const id = (((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0)) >>> 0;
      if (syncIds.has(id) && vintWidth(bytes[i + 4] ?? 0) !== 0) return chunkStart + i;
    }
  }
  return end;
}
