// Opening a store directory: store.json, the stream headers and each segment, with the repairs a crash
// can call for (see the top comment of fragmentStore.ts for the rules).
import { randomInt } from 'node:crypto';
import { closeSync, existsSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32Payload } from './crc32';
import { StoreError } from './errors';
import { HEADERS_FILE, SEGMENT_DATA, STORE_FILE, bytesEqual, dataName, indexName, payloadCrcAt, readExactly, readWhole, syncDir, writeAll, writeAllV, writeFileDurably } from './files';
import type { FragmentIndex } from './fragmentIndex';
import {
  ENTRY_HEADER_BYTES,
  FILE_HEADER_BYTES,
  HEADER_ENTRY_BYTES,
  decodeEntryHeader,
  decodeEntryHeaderInto,
  decodeFileHeader,
  decodeHeaderEntry,
  emptyEntryHeader,
  encodeFileHeader,
} from './format';

export const FRAGMENT_NUMBER_PREFIX_DIGITS = 27;
const PREFIX_PATTERN = /^[1-9][0-9]{26}$/;
/** Read size when checking the clusters of entries that the index does not cover. */
const SCAN_CHUNK = 1024 * 1024;

/** What open() found and repaired. */
export interface RecoveryReport {
  /** Bytes cut from the end of the newest data segment (a torn or corrupt tail). */
  truncatedDataBytes: number;
  /** Bytes of index records dropped because they were torn, corrupt or did not match the data. */
  droppedIndexBytes: number;
  /** Index records written again from a scan of the data. */
  rebuiltIndexRecords: number;
  /** Bytes cut from the end of headers.kvh. */
  truncatedHeaderBytes: number;
  /** Segments deleted: an unfinished newest one, or ones wholly below the low-water mark. */
  removedSegments: number;
  /** Anything else worth a log line (damage in sealed segments, which is left in place). */
  issues: string[];
}

export interface Segment {
  num: number;
  firstSeq: number;
  /** Sequence number of the last entry; firstSeq - 1 when the segment is empty. */
  lastSeq: number;
  /** End of the last valid entry = where the next one is written (active segment). */
  dataEnd: number;
  /** End of the last index record = where the next one is written (active segment). */
  indexEnd: number;
}

function randomPrefix(): string {
  let prefix = String(randomInt(1, 10));
  while (prefix.length < FRAGMENT_NUMBER_PREFIX_DIGITS) prefix += String(randomInt(0, 10));
  return prefix;
}

/** The fragment-number prefix from store.json; writes store.json (with a new prefix) for a new store. */
export function readStoreFile(dir: string, requestedPrefix: string | undefined): string {
  const path = join(dir, STORE_FILE);
  if (existsSync(path)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new StoreError('CORRUPT', `${path} is not valid JSON`, { cause: error });
    }
    const prefix = (parsed as { fragmentNumberPrefix?: unknown } | null)?.fragmentNumberPrefix;
    const format = (parsed as { format?: unknown } | null)?.format;
    if (format !== 1 || typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
      throw new StoreError('CORRUPT', `${path} does not describe a fragment store of format 1`);
    }
    return prefix;
  }
  const existing = readdirSync(dir).filter((name) => SEGMENT_DATA.test(name) || name === HEADERS_FILE);
  if (existing.length > 0) {
    throw new StoreError('CORRUPT', `${dir} holds fragment data but no ${STORE_FILE}`);
  }
  const prefix = requestedPrefix ?? randomPrefix();
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new StoreError('INVALID_ARGUMENT', `fragmentNumberPrefix must be ${FRAGMENT_NUMBER_PREFIX_DIGITS} digits, not starting with 0`);
  }
  writeFileDurably(dir, STORE_FILE, new TextEncoder().encode(`${JSON.stringify({ format: 1, fragmentNumberPrefix: prefix })}\n`));
  return prefix;
}

export interface HeadersState {
  fd: number;
  end: number;
  list: Uint8Array[];
}

/** Opens headers.kvh (creating it), loads every sound header entry and cuts a torn or corrupt tail. */
export function openHeaders(dir: string, report: RecoveryReport): HeadersState {
  const path = join(dir, HEADERS_FILE);
  const fresh = !existsSync(path);
  const fd = openSync(path, fresh ? 'w+' : 'r+');
  try {
    const bytes = fresh ? new Uint8Array(0) : readWhole(fd);
    if (decodeFileHeader(bytes, 'headers') === undefined) {
      if (bytes.length > FILE_HEADER_BYTES) report.issues.push(`${HEADERS_FILE}: bad file header, ${bytes.length} bytes dropped`);
      report.truncatedHeaderBytes += bytes.length;
      ftruncateSync(fd, 0);
      writeAll(fd, encodeFileHeader({ kind: 'headers', segment: 0, firstSeq: 0 }), 0);
      fdatasyncSync(fd);
      if (fresh) syncDir(dir);
      return { fd, end: FILE_HEADER_BYTES, list: [] };
    }
    const list: Uint8Array[] = [];
    let pos = FILE_HEADER_BYTES;
    for (;;) {
      const entry = decodeHeaderEntry(bytes, pos);
      if (entry?.id !== list.length + 1) break;
      const start = pos + HEADER_ENTRY_BYTES;
      const end = start + entry.length;
      if (end > bytes.length) break;
      const payload = bytes.slice(start, end);
      if (crc32Payload(payload) !== entry.payloadCrc) break;
      list.push(payload);
      pos = end;
    }
    if (pos < bytes.length) {
      report.truncatedHeaderBytes += bytes.length - pos;
      ftruncateSync(fd, pos);
      fdatasyncSync(fd);
    }
    return { fd, end: pos, list };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Loads one segment into the index (entries with seq >= minSeq), repairing its index file and — when it
 * is the newest segment — cutting a torn data tail. Returns the segment, or undefined when its data file
 * has no valid header (then the caller decides what to do with it). Leaves no file open.
 */
export function loadSegment(
  dir: string,
  num: number,
  isNewest: boolean,
  minSeq: number,
  index: FragmentIndex,
  report: RecoveryReport,
): Segment | undefined {
  const dataPath = join(dir, dataName(num));
  const indexPath = join(dir, indexName(num));
  const dataFd = openSync(dataPath, isNewest ? 'r+' : 'r');
  try {
    const dataSize = fstatSync(dataFd).size;
    const headerBytes = new Uint8Array(FILE_HEADER_BYTES);
    const header = readExactly(dataFd, headerBytes, 0) ? decodeFileHeader(headerBytes, 'data') : undefined;
    if (header?.segment !== num) return undefined;

    // 1. The index records, as long as they are sound.
    const indexBytes = existsSync(indexPath) ? readFileSync(indexPath) : new Uint8Array(0);
    const indexHeader = decodeFileHeader(indexBytes, 'index');
    const indexHeaderOk = indexHeader?.segment === num && indexHeader.firstSeq === header.firstSeq;
    let pos = FILE_HEADER_BYTES;
    let offset = FILE_HEADER_BYTES;
    let lastOffset = FILE_HEADER_BYTES;
    let prevSeq = header.firstSeq - 1;
    if (indexHeaderOk) {
      const lengthBefore = index.length;
      const view = new DataView(indexBytes.buffer, indexBytes.byteOffset, indexBytes.byteLength);
      const entry = emptyEntryHeader();
      while (pos + ENTRY_HEADER_BYTES <= indexBytes.length) {
        if (!decodeEntryHeaderInto(indexBytes, view, pos, entry) || entry.seq <= prevSeq) break;
        const end = offset + ENTRY_HEADER_BYTES + entry.sizeBytes;
        if (end > dataSize) break;
        if (entry.seq >= minSeq) index.push(entry, num, offset, false);
        prevSeq = entry.seq;
        lastOffset = offset;
        offset = end;
        pos += ENTRY_HEADER_BYTES;
      }
      if (pos > FILE_HEADER_BYTES) {
        // The last record must be the entry header at its place in the data file.
        const last = indexBytes.subarray(pos - ENTRY_HEADER_BYTES, pos);
        const inData = new Uint8Array(ENTRY_HEADER_BYTES);
        if (!readExactly(dataFd, inData, lastOffset) || !bytesEqual(inData, last)) {
          report.issues.push(`${indexName(num)}: does not match ${dataName(num)}, rebuilt from the data`);
          index.truncate(lengthBefore);
          pos = FILE_HEADER_BYTES;
          offset = FILE_HEADER_BYTES;
          prevSeq = header.firstSeq - 1;
        }
      }
    }
    const indexKeep = indexHeaderOk ? pos : 0;

    // 2. Entries in the data file after the last indexed one.
    const scanned: Uint8Array[] = [];
    const entryBytes = new Uint8Array(ENTRY_HEADER_BYTES);
    const scratch = new Uint8Array(Math.max(1, Math.min(SCAN_CHUNK, dataSize - offset)));
    while (offset + ENTRY_HEADER_BYTES <= dataSize) {
      if (!readExactly(dataFd, entryBytes, offset)) break;
      const entry = decodeEntryHeader(entryBytes);
      if (entry === undefined || entry.seq <= prevSeq) break;
      const end = offset + ENTRY_HEADER_BYTES + entry.sizeBytes;
      if (end > dataSize) break;
      if (payloadCrcAt(dataFd, offset + ENTRY_HEADER_BYTES, entry.sizeBytes, scratch) !== entry.payloadCrc) break;
      if (entry.seq >= minSeq) index.push(entry, num, offset, false);
      scanned.push(entryBytes.slice());
      prevSeq = entry.seq;
      offset = end;
    }
    if (offset < dataSize) {
      if (isNewest) {
        ftruncateSync(dataFd, offset);
        fdatasyncSync(dataFd);
        report.truncatedDataBytes += dataSize - offset;
      } else {
        report.issues.push(`${dataName(num)}: ${dataSize - offset} bytes after offset ${offset} are damaged and ignored`);
      }
    }

    // 3. Bring the index file in line: keep the sound records, add the scanned ones.
    const indexLength = indexBytes.length;
    if (!indexHeaderOk || indexKeep < indexLength || scanned.length > 0) {
      report.droppedIndexBytes += indexLength - indexKeep;
      report.rebuiltIndexRecords += scanned.length;
      const indexFd = openSync(indexPath, indexHeaderOk ? 'r+' : 'w');
      try {
        let end = indexKeep;
        if (!indexHeaderOk) end = writeAll(indexFd, encodeFileHeader({ kind: 'index', segment: num, firstSeq: header.firstSeq }), 0);
        ftruncateSync(indexFd, end);
        writeAllV(indexFd, scanned, end);
        fsyncSync(indexFd);
      } finally {
        closeSync(indexFd);
      }
      if (!indexHeaderOk) syncDir(dir);
    }
    return {
      num,
      firstSeq: header.firstSeq,
      lastSeq: prevSeq,
      dataEnd: offset,
      indexEnd: Math.max(indexKeep, FILE_HEADER_BYTES) + scanned.length * ENTRY_HEADER_BYTES,
    };
  } finally {
    closeSync(dataFd);
  }
}
