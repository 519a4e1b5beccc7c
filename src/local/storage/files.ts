// File names, small synchronous I/O helpers and segment-file creation for the fragment store.
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { crc32Payload } from './crc32';
import { StoreError } from './errors';
import { encodeFileHeader } from './format';
import type { FileHeader } from './format';

export const STORE_FILE = 'store.json';
export const HEADERS_FILE = 'headers.kvh';
export const LOW_WATER_FILE = 'lowwater.kvl';
export const SEGMENT_DATA = /^seg-(\d{8})\.kvd$/;
/** Buffers per writev call (below every platform's IOV_MAX). */
const MAX_IOVECS = 512;

export function dataName(segment: number): string {
  return `seg-${String(segment).padStart(8, '0')}.kvd`;
}

export function indexName(segment: number): string {
  return `seg-${String(segment).padStart(8, '0')}.kvi`;
}

/** fsync of a directory, so that created, renamed and deleted names are durable. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some platforms (Windows) and file systems cannot open or sync a directory; nothing to do there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'ENOTSUP' && code !== 'EACCES') {
      throw error;
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes all of `bytes` at `position` (looping over short writes); returns the end position. */
export function writeAll(fd: number, bytes: Uint8Array, position: number): number {
  let done = 0;
  while (done < bytes.length) {
    const n = writeSync(fd, bytes, done, bytes.length - done, position + done);
    if (n <= 0) throw new StoreError('FAILED', 'write made no progress');
    done += n;
  }
  return position + done;
}

/** writev of all buffers at `position`, in calls of at most MAX_IOVECS buffers; returns the end position. */
export function writeAllV(fd: number, buffers: readonly Uint8Array[], position: number): number {
  let at = position;
  for (let i = 0; i < buffers.length; i += MAX_IOVECS) {
    const batch = buffers.slice(i, i + MAX_IOVECS);
    let expected = 0;
    for (const b of batch) expected += b.length;
    const written = writevSync(fd, batch, at);
    if (written === expected) {
      at += written;
      continue;
    }
    // A short write: finish the rest buffer by buffer.
    let skip = written;
    at += written;
    for (const b of batch) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      at = writeAll(fd, b.subarray(skip), at);
      skip = 0;
    }
  }
  return at;
}

/** Reads exactly bytes.length bytes at position, or returns false when the file ends first. */
export function readExactly(fd: number, bytes: Uint8Array, position: number): boolean {
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n <= 0) return false;
    done += n;
  }
  return true;
}

/** The whole file (empty when it shrank while being read). */
export function readWhole(fd: number): Uint8Array {
  const size = fstatSync(fd).size;
  const bytes = new Uint8Array(size);
  return readExactly(fd, bytes, 0) ? bytes : bytes.subarray(0, 0);
}

/** Writes a small file atomically: tmp file, fdatasync, rename over the old one, fsync the directory. */
export function writeFileDurably(dir: string, name: string, bytes: Uint8Array): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, bytes, 0);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  syncDir(dir);
}

/** CRC-32 of `length` bytes at `position`, read through `scratch`; undefined when the file is shorter. */
export function payloadCrcAt(fd: number, position: number, length: number, scratch: Uint8Array): number | undefined {
  let crc = 0;
  let done = 0;
  while (done < length) {
    const n = Math.min(scratch.length, length - done);
    const chunk = scratch.subarray(0, n);
    if (!readExactly(fd, chunk, position + done)) return undefined;
    crc = crc32Payload(chunk, crc);
    done += n;
  }
  return crc;
}

export { bytesEqual } from '../../formats/bytesEqual';

/** Deletes a segment's data and index files (missing ones are fine). The caller syncs the directory. */
export function removeSegmentFiles(dir: string, num: number): void {
  for (const name of [dataName(num), indexName(num)]) {
    try {
      unlinkSync(join(dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Creates a segment's data and index files with their file headers, synced, names included. */
export function createSegmentFiles(dir: string, num: number, firstSeq: number): void {
  const header: FileHeader = { kind: 'data', segment: num, firstSeq };
  for (const [name, kind] of [
    [dataName(num), 'data'],
    [indexName(num), 'index'],
  ] as const) {
    const fd = openSync(join(dir, name), 'w');
    try {
      writeAll(fd, encodeFileHeader({ ...header, kind }), 0);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  syncDir(dir);
}
