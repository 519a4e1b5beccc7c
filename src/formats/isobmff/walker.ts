import type { ByteSource } from '../byteSource';
import { issue, type Issue, type Severity } from '../issues';
import { BoxReader, fourccAt, isPrintableFourcc } from './reader';
import { boxSpec } from './registry';
import type { Box, BoxContext, BoxSpec, BoxTree } from './types';

export interface WalkOptions {
  /**
   * Boxes up to this size that the walker descends into or decodes are read in one piece and parsed
   * from memory (one read per moov/moof); bigger containers are walked header by header. Bigger leaf
   * boxes are not decoded. Default 256 MiB.
   */
  maxBoxBytes?: number;
  /** Deeper nesting is reported and not descended into. Default 32. */
  maxDepth?: number;
}

const DEFAULT_MAX_BOX_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 32;

/** A ByteSource view over bytes already read, addressed by absolute offsets. */
function windowSource(bytes: Uint8Array, base: number): ByteSource {
  return {
    size: base + bytes.length,
    read(offset: number, length: number): Uint8Array {
      const start = Math.max(0, Math.min(offset - base, bytes.length));
      return bytes.subarray(start, Math.min(bytes.length, start + Math.max(0, length)));
    },
  };
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

class Walker {
  readonly issues: Issue[] = [];
  private readonly maxBoxBytes: number;
  private readonly maxDepth: number;
  /** Handler type of the track being walked (set by 'hdlr' inside 'mdia'). */
  private handler: string | undefined;

  constructor(options: WalkOptions) {
    this.maxBoxBytes = options.maxBoxBytes ?? DEFAULT_MAX_BOX_BYTES;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  report(severity: Severity, code: string, message: string, offset: number): void {
    this.issues.push(issue(severity, code, message, offset));
  }

  /**
   * The boxes in [start, end) of `src`. `inMemory`: src is a window already read (no I/O cost).
   * `parentTruncated`: the parent was cut short, so running past `end` is already reported.
   */
  walk(src: ByteSource, start: number, end: number, parent: string | undefined, depth: number, inMemory: boolean, parentTruncated: boolean): Box[] {
    const boxes: Box[] = [];
    let pos = start;
    while (pos < end) {
      const avail = end - pos;
      if (avail < 8) {
        if (!parentTruncated) this.trailing(src, pos, avail, parent);
        break;
      }
      const head = src.read(pos, Math.min(avail, 32));
      if (head.length < 8) {
        this.report('error', 'BOX_HEADER_TRUNCATED', `box header cut short: ${head.length} of 8 bytes`, pos);
        break;
      }
      const size32 = ((head[0] ?? 0) * 0x1000000) + (((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8) | (head[3] ?? 0));
      const type = fourccAt(head, 4);
      let headerSize = 8;
      let size: number;
      if (size32 === 1) {
        if (head.length < 16) {
          if (!parentTruncated) this.report('error', 'BOX_HEADER_TRUNCATED', `'${type}' largesize cut short`, pos);
          break;
        }
        size = ((head[8] ?? 0) * 0x1000000 + (((head[9] ?? 0) << 16) | ((head[10] ?? 0) << 8) | (head[11] ?? 0))) * 0x1_0000_0000
          + ((head[12] ?? 0) * 0x1000000 + (((head[13] ?? 0) << 16) | ((head[14] ?? 0) << 8) | (head[15] ?? 0)));
        headerSize = 16;
      } else if (size32 === 0) {
        size = end - pos;
        if (parent !== undefined) this.report('warning', 'BOX_SIZE_ZERO', `'${type}' has size 0 (to the end) inside '${parent}'`, pos);
      } else {
        size = size32;
      }
      let uuid: string | undefined;
      if (type === 'uuid') {
        if (head.length < headerSize + 16) {
          if (!parentTruncated) this.report('error', 'BOX_HEADER_TRUNCATED', `'uuid' usertype cut short`, pos);
          break;
        }
        uuid = hex(head.subarray(headerSize, headerSize + 16));
        headerSize += 16;
      }
      if (!isPrintableFourcc(type)) {
        this.report('warning', 'BOX_TYPE_INVALID', `box type 0x${hex(head.subarray(4, 8))} is not printable: probably not a box`, pos);
      }
      if (size < headerSize) {
        this.report('error', 'BOX_SIZE_TOO_SMALL', `'${type}' declares ${size} bytes, less than its ${headerSize}-byte header; the rest of ${parent === undefined ? 'the file' : `'${parent}'`} is unreadable`, pos);
        break;
      }
      let boxEnd = pos + size;
      let truncated = false;
      if (boxEnd > end) {
        truncated = true;
        if (!parentTruncated) {
          if (parent === undefined) this.report('error', 'BOX_TRUNCATED', `'${type}' declares ${size} bytes, only ${avail} left in the file`, pos);
          else this.report('error', 'BOX_OVERFLOWS_PARENT', `'${type}' declares ${size} bytes, only ${avail} left in '${parent}'`, pos);
        }
        boxEnd = end;
      }
      const box: Box = uuid === undefined ? { type, offset: pos, headerSize, size } : { type, offset: pos, headerSize, size, uuid };
      if (truncated) box.truncated = true;
      const spec = boxSpec(type, parent, this.handler);
      if (spec) this.decode(src, box, spec, boxEnd, parent, depth, inMemory);
      boxes.push(box);
      pos = boxEnd;
    }
    return boxes;
  }

  /** Fewer than 8 bytes left: a cut box header at the top level; inside a box, zeros are padding. */
  private trailing(src: ByteSource, pos: number, avail: number, parent: string | undefined): void {
    if (parent === undefined) {
      this.report('error', 'BOX_HEADER_TRUNCATED', `${avail} bytes at the end of the file: too few for a box header`, pos);
      return;
    }
    const bytes = src.read(pos, avail);
    if (bytes.every((b) => b === 0)) this.report('info', 'BOX_PADDING', `${avail} zero bytes after the last box in '${parent}'`, pos);
    else this.report('warning', 'BOX_HEADER_TRUNCATED', `${avail} bytes left in '${parent}': too few for a box header`, pos);
  }

  private decode(src: ByteSource, box: Box, spec: BoxSpec, boxEnd: number, parent: string | undefined, depth: number, inMemory: boolean): void {
    const pos = box.offset;
    const truncated = box.truncated === true;
    if (depth >= this.maxDepth) {
      this.report('warning', 'BOX_NESTING_TOO_DEEP', `'${box.type}' is nested ${depth} deep; not decoded`, pos);
      return;
    }
    const length = boxEnd - pos;
    if (length > this.maxBoxBytes) {
      if (spec.container && !spec.parse) {
        box.children = this.walkChildren(src, box, pos + box.headerSize, boxEnd, depth, inMemory, truncated);
      } else {
        this.report('warning', 'BOX_TOO_LARGE', `'${box.type}' is ${length} bytes, more than the ${this.maxBoxBytes} decoded in one piece; not decoded`, pos);
      }
      return;
    }
    const bytes = src.read(pos, length);
    const mem = inMemory ? src : windowSource(bytes, pos);
    let p = box.headerSize;
    let version = 0;
    let flags = 0;
    if (spec.full) {
      if (bytes.length < p + 4) {
        if (!truncated) this.report('error', 'BOX_FIELDS_OVERRUN', `'${box.type}' is too small for its version and flags`, pos);
        return;
      }
      version = bytes[p] ?? 0;
      flags = ((bytes[p + 1] ?? 0) << 16) | ((bytes[p + 2] ?? 0) << 8) | (bytes[p + 3] ?? 0);
      p += 4;
      const full = box as { version?: number; flags?: number };
      full.version = version;
      full.flags = flags;
    }
    if (spec.parse) {
      const r = new BoxReader(bytes.subarray(p), pos + p);
      const ctx: BoxContext = {
        type: box.type, offset: pos, size: box.size, version, flags, handler: this.handler,
        issue: (severity, code, message, offset) => {
          // A table cut short is the box's own truncation, already reported.
          if (!(truncated && code === 'TABLE_TRUNCATED')) this.report(severity, code, message, offset);
        },
      };
      try {
        box.fields = spec.parse(r, ctx);
      } catch (e) {
        this.report('error', 'BOX_PARSE_FAILED', `'${box.type}' could not be decoded: ${e instanceof Error ? e.message : String(e)}`, pos);
        return;
      }
      if (r.overrun && !truncated) {
        this.report('error', 'BOX_FIELDS_OVERRUN', `the fields of '${box.type}' run past its end (${box.size} bytes)`, pos);
      }
      p += Math.min(r.pos, r.length);
      if (box.type === 'hdlr' && parent === 'mdia') {
        this.handler = (box.fields as { handlerType?: string }).handlerType;
      }
    }
    if (spec.container) {
      box.children = this.walkChildren(mem, box, pos + p, boxEnd, depth, true, truncated);
    }
  }

  private walkChildren(src: ByteSource, box: Box, start: number, end: number, depth: number, inMemory: boolean, truncated: boolean): Box[] {
    if (box.type === 'trak') {
      const saved = this.handler;
      this.handler = undefined;
      const children = this.walk(src, start, end, box.type, depth + 1, inMemory, truncated);
      this.handler = saved;
      return children;
    }
    return this.walk(src, start, end, box.type, depth + 1, inMemory, truncated);
  }
}

/** Walks the boxes of a whole source. */
export function readBoxes(source: ByteSource, options: WalkOptions = {}): BoxTree {
  return walkBoxes(source, 0, source.size, options);
}

/**
 * Walks the boxes in [start, end) of a source, e.g. to expand one box on demand. Decodes registered
 * boxes, descends into containers, skips everything else (mdat payloads are never read).
 */
export function walkBoxes(source: ByteSource, start: number, end: number, options: WalkOptions = {}, parentType?: string): BoxTree {
  const walker = new Walker(options);
  const stop = Math.min(end, source.size);
  const boxes = walker.walk(source, Math.max(0, start), stop, parentType, parentType === undefined ? 0 : 1, false, false);
  return { boxes, issues: walker.issues };
}
