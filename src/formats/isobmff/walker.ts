import { byteWindow, type ByteSource, type ByteWindow } from '../byteSource';
import { hex } from '../hex';
import { issue, type Issue, type Severity } from '../issues';
import { childrenOnlyIn, FILE_LEVEL_ONLY } from './boxPlacement';
import { fourccCode, u32At } from './fourcc';
import { BoxReader, ByteArena } from './reader';
import { boxSpecIn, boxType, type BoxTypeInfo } from './registry';
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

/**
 * Reads a top-level box in place of the walker, from `bytes`, which hold the whole box from bytes[at] on
 * (the source's buffer: read before the source is read again): true when it did, and the box stays a
 * leaf of the tree; false to have the walker decode it.
 */
export type TopLevelSkim = (box: Box, bytes: Uint8Array, at: number) => boolean;

/** What a reader building on the walk (readIsoBmff) does with the top-level boxes, and tells the walker. */
export interface TopLevelHooks {
  /** Called with each top-level box once it is read, children and all. */
  box?: (box: Box) => void;
  skim?: TopLevelSkim;
  /** Where the sample data of the moof read last ends (its runs say so), until the box after it is read. */
  sampleDataEnd?: () => number | undefined;
}

const DEFAULT_MAX_BOX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 32;

/** The most header bytes a box can have: size, type, largesize, uuid usertype. */
const MAX_HEADER_BYTES = 32;

/** How messages name a box whose header is at bytes[at]: its type in quotes, or in hex when it is not text. */
function boxName(info: BoxTypeInfo, bytes: Uint8Array, at: number): string {
  return info.printable ? `'${info.type}'` : `box type 0x${hex(bytes, at + 4, at + 8)}`;
}

/**
 * A box as the walker makes it: every property of Box set from the start (undefined until known), so
 * all boxes share one object shape, which keeps the many reads of their properties fast.
 */
class BoxNode implements Box {
  // `declare`: the constructor defines every property, in one order, and nothing else does first (a
  // class field would be defined as undefined, then assigned: twice the work for each of thousands of boxes).
  declare readonly type: string;
  declare readonly offset: number;
  declare readonly headerSize: number;
  declare readonly size: number;
  declare readonly uuid: string | undefined;
  declare version: number | undefined;
  declare flags: number | undefined;
  declare fields: unknown;
  declare children: Box[] | undefined;
  declare truncated: boolean | undefined;

  constructor(type: string, offset: number, headerSize: number, size: number, uuid: string | undefined) {
    this.type = type;
    this.offset = offset;
    this.headerSize = headerSize;
    this.size = size;
    this.uuid = uuid;
    this.version = undefined;
    this.flags = undefined;
    this.fields = undefined;
    this.children = undefined;
    this.truncated = undefined;
  }
}

/**
 * The BoxContext given to box parsers: one per walk, pointed at each box in turn (parsers use it
 * while they run and do not keep it).
 */
class ParseContext implements BoxContext {
  type = '';
  offset = 0;
  size = 0;
  version = 0;
  flags = 0;
  handler: string | undefined = undefined;
  /** The box runs past its parent: a table cut short is that truncation, already reported. */
  truncated = false;

  constructor(private readonly issues: Issue[]) {}

  issue(severity: Severity, code: string, message: string, offset: number): void {
    if (!(this.truncated && code === 'TABLE_TRUNCATED')) this.issues.push(issue(severity, code, message, offset));
  }
}

class Walker {
  readonly issues: Issue[] = [];
  private readonly maxBoxBytes: number;
  private readonly maxDepth: number;
  private readonly ctx = new ParseContext(this.issues);
  /** Handler type of the track being walked (set by 'hdlr' inside 'mdia'). */
  private handler: string | undefined;
  /**
   * The boxes of the lists being walked (a container's list above its parent's): each list is copied
   * out when complete, the exact size, instead of growing an array per container box by box.
   */
  private readonly lists: Box[] = [];
  /** Copies that boxes keep (trun entries), for all the walk's readers. */
  private readonly arena = new ByteArena();

  constructor(
    options: WalkOptions,
    private readonly hooks: TopLevelHooks = {},
  ) {
    this.maxBoxBytes = options.maxBoxBytes ?? DEFAULT_MAX_BOX_BYTES;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  report(severity: Severity, code: string, message: string, offset: number): void {
    this.issues.push(issue(severity, code, message, offset));
  }

  /**
   * The boxes in [start, end) of a source, read header by header (the top level, or a container too big
   * to read in one piece). `parentTruncated`: the parent was cut short, so running past `end` is already
   * reported.
   */
  walkSource(source: ByteSource, start: number, end: number, parent: string | undefined, depth: number, parentTruncated: boolean): Box[] {
    const boxes = this.lists;
    const first = boxes.length;
    // Headers are read from the source's window: no view per box (a long file has thousands).
    const window = byteWindow(source);
    const skim = parent === undefined ? this.hooks.skim : undefined;
    let pos = start;
    while (pos < end) {
      const avail = end - pos;
      if (avail < 8) {
        if (!parentTruncated) this.trailing(source.read(pos, avail), 0, pos, avail, parent);
        break;
      }
      window.fill(pos, Math.min(avail, MAX_HEADER_BYTES));
      const at = pos - window.start;
      const info = boxType(fourccCode(window.bytes, at + 4));
      const issuesBefore = this.issues.length;
      let box = this.header(window.bytes, at, Math.min(avail, MAX_HEADER_BYTES, window.end - pos), info, pos, end, parent, parentTruncated);
      if (!box) break;
      if (parent === undefined) {
        if (info.type === 'mdat') box = this.mdatOfItsData(window, box, end, issuesBefore);
        // A moof or moov past the end, or too small for any box of its own (checked first: this runs for every moof).
        else if ((box.truncated || box.size - box.headerSize < 8 || info.type === 'moov') && childrenOnlyIn(info.type)) box = this.containerOfItsChildren(window, box, end, issuesBefore);
      }
      const boxEnd = box.truncated ? end : pos + box.size;
      const spec = boxSpecIn(info, parent, this.handler);
      if (spec && this.mayDecode(box, depth)) {
        const length = boxEnd - pos;
        if (length <= this.maxBoxBytes) {
          window.fill(pos, length);
          const boxAt = pos - window.start;
          if (!skim?.(box, window.bytes, boxAt)) {
            const bytes = window.bytes.subarray(boxAt, Math.min(boxAt + length, window.end - window.start));
            this.decode(new BoxReader(bytes, pos, this.arena), box, spec, boxEnd, parent, depth);
          }
        } else if (spec.container && !spec.parse) {
          const saved = this.enterChildren(box);
          box.children = this.walkSource(source, pos + box.headerSize, boxEnd, box.type, depth + 1, box.truncated === true);
          this.leaveChildren(box, saved);
        } else {
          this.report('warning', 'BOX_TOO_LARGE', `'${box.type}' is ${length} bytes, more than the ${this.maxBoxBytes} decoded in one piece; not decoded`, pos);
        }
      }
      if (parent === undefined && box.truncated) this.nameInnermostCut(box, end, issuesBefore);
      boxes.push(box);
      if (parent === undefined) this.hooks.box?.(box);
      pos = boxEnd;
    }
    return this.endList(first);
  }

  /**
   * The input (ending at `end`) ends inside top-level `box` and inside some of its children: its
   * BOX_TRUNCATED, reported from `from` on, moves to the innermost box the input ends in, where the cut
   * is, and names the boxes around it (their own cuts are not reported: one cut, one issue).
   */
  private nameInnermostCut(box: Box, end: number, from: number): void {
    const around: Box[] = [];
    let inner = box;
    for (let last = inner.children?.at(-1); last?.truncated; last = inner.children?.at(-1)) {
      around.push(inner);
      inner = last;
    }
    const at = this.issues.findIndex((found, i) => i >= from && found.code === 'BOX_TRUNCATED' && found.offset === box.offset);
    if (around.length === 0 || at < 0) return;
    const path = around.map(({ type, offset }) => `'${type}' at offset ${offset}`).join(' > ');
    const message = `'${inner.type}' at offset ${inner.offset} declares ${inner.size} bytes, only ${end - inner.offset} left in the file; the boxes around it are cut too: ${path}`;
    this.issues[at] = issue('error', 'BOX_TRUNCATED', message, inner.offset);
  }

  /** The boxes in [start, end) of bytes already read (`r.bytes`, holding the parent box). */
  private walkBytes(r: BoxReader, start: number, end: number, parent: string, depth: number, parentTruncated: boolean): Box[] {
    const boxes = this.lists;
    const first = boxes.length;
    const bytes = r.bytes;
    const view = r.view;
    const base = r.base;
    let pos = start;
    while (pos < end) {
      const avail = end - pos;
      if (avail < 8) {
        if (!parentTruncated) this.trailing(bytes, pos - base, pos, avail, parent);
        break;
      }
      const at = pos - base;
      const whole = at + 8 <= bytes.length;
      const size32 = whole ? view.getUint32(at) : 0;
      const info = boxType(whole ? view.getUint32(at + 4) : fourccCode(bytes, at + 4));
      // The common box (32-bit size, inside its parent, a printable type other than uuid) is made here;
      // header() makes the others and reports what is wrong with them.
      let box = size32 >= 8 && size32 <= avail && info.plain
        ? new BoxNode(info.type, pos, 8, size32, undefined)
        : this.header(bytes, at, Math.min(avail, MAX_HEADER_BYTES, bytes.length - at), info, pos, end, parent, parentTruncated);
      if (!box) break;
      if (size32 === 0 && box.size > 8) box = this.sizeZeroByItsChildren(r, box, end, parent);
      const boxEnd = box.truncated ? end : pos + box.size;
      const spec = info.spec ?? boxSpecIn(info, parent, this.handler);
      if (spec && (depth < this.maxDepth || this.mayDecode(box, depth))) this.decode(r, box, spec, boxEnd, parent, depth);
      boxes.push(box);
      pos = boxEnd;
    }
    return this.endList(first);
  }

  /** The list of boxes that starts at lists[first], taken off the stack of lists. */
  private endList(first: number): Box[] {
    const boxes = this.lists.slice(first);
    this.lists.length = first;
    return boxes;
  }

  /**
   * Reads the header of a box of type `info` in bytes[at, at + length) (the box starts at absolute `pos`;
   * its parent, or the walked range, ends at `end`, where a box running past it is cut: `truncated`).
   * Undefined when the rest of the parent cannot be read.
   */
  private header(bytes: Uint8Array, at: number, length: number, info: BoxTypeInfo, pos: number, end: number, parent: string | undefined, parentTruncated: boolean): BoxNode | undefined {
    if (length < 8) {
      this.report('error', 'BOX_HEADER_TRUNCATED', `box header cut short: ${length} of 8 bytes`, pos);
      return undefined;
    }
    const avail = end - pos;
    const size32 = u32At(bytes, at);
    const type = info.type;
    let headerSize = 8;
    let size: number;
    if (size32 === 1) {
      if (length < 16) {
        if (!parentTruncated) this.report('error', 'BOX_HEADER_TRUNCATED', `${boxName(info, bytes, at)} largesize cut short`, pos);
        return undefined;
      }
      size = u32At(bytes, at + 8) * 0x1_0000_0000 + u32At(bytes, at + 12);
      headerSize = 16;
    } else if (size32 === 0) {
      size = avail;
      if (parent !== undefined) this.report('warning', 'BOX_SIZE_ZERO', `${boxName(info, bytes, at)} has size 0 (to the end) inside '${parent}'`, pos);
    } else {
      size = size32;
    }
    let uuid: string | undefined;
    if (type === 'uuid') {
      if (length < headerSize + 16) {
        if (!parentTruncated) this.report('error', 'BOX_HEADER_TRUNCATED', `'uuid' usertype cut short`, pos);
        return undefined;
      }
      uuid = hex(bytes, at + headerSize, at + headerSize + 16);
      headerSize += 16;
    }
    if (!info.printable) {
      this.report('warning', 'BOX_TYPE_INVALID', `${boxName(info, bytes, at)} is not printable: probably not a box`, pos);
    }
    if (size < headerSize) {
      this.report('error', 'BOX_SIZE_TOO_SMALL', `${boxName(info, bytes, at)} declares ${size} bytes, less than its ${headerSize}-byte header; the rest of ${parent === undefined ? 'the file' : `'${parent}'`} is unreadable`, pos);
      return undefined;
    }
    const box = new BoxNode(type, pos, headerSize, size, uuid);
    if (pos + size > end) {
      box.truncated = true;
      if (!parentTruncated) {
        if (parent === undefined) this.report('error', 'BOX_TRUNCATED', `${boxName(info, bytes, at)} declares ${size} bytes, only ${avail} left in the file`, pos);
        else this.report('error', 'BOX_OVERFLOWS_PARENT', `${boxName(info, bytes, at)} declares ${size} bytes, only ${avail} left in '${parent}'`, pos);
      }
    }
    return box;
  }

  /**
   * A top-level mdat whose declared end is no box boundary (no box starts there, nor does the input end
   * there, or it has size 0, "to the end", while a box follows) while the sample data of the moof before
   * it ends at one: the size is damaged (a flipped bit, a writer that never patched it), and the mdat is
   * read as ending with that data, so that the fragments after it are not lost. In a file with no moov
   * or moof yet, an mdat that runs to the end or past it while a moov ends the file is read as ending
   * where that moov starts. The issues header() reported from `issuesBefore` on (BOX_TRUNCATED) give
   * way to MDAT_SIZE_WRONG.
   */
  private mdatOfItsData(window: ByteWindow, mdat: BoxNode, end: number, issuesBefore: number): BoxNode {
    const declaredEnd = mdat.offset + mdat.size;
    const sizeZero = declaredEnd === end && sizeFieldAt(window, mdat.offset) === 0;
    // (Made only for a message: this runs for every mdat of a long file.)
    const declared = () => (sizeZero ? `'mdat' has size 0 (to the end of the file)` : `'mdat' declares ${mdat.size} bytes`);
    const dataEnd = this.hooks.sampleDataEnd?.();
    if (dataEnd === undefined) {
      if (declaredEnd < end || this.lists.some((box) => box.type === 'moov' || box.type === 'moof')) return mdat;
      const moovAt = trailingMoovAt(window, mdat.offset + mdat.headerSize, end);
      if (moovAt === undefined) return mdat;
      return this.mdatEndingAt(mdat, moovAt, issuesBefore, `${declared()}, but a 'moov' box ends the file at byte ${moovAt}`);
    }
    if (dataEnd === declaredEnd || dataEnd <= mdat.offset + mdat.headerSize || dataEnd > end) return mdat;
    if ((declaredEnd === end && !sizeZero) || (declaredEnd < end && boxTypeAt(window, declaredEnd, end))) return mdat;
    const next = dataEnd < end ? wholeBoxAt(window, dataEnd, end)?.type : 'end';
    if (!next) return mdat;
    const there = next === 'end' ? 'where the file ends' : `where a '${next}' box starts`;
    return this.mdatEndingAt(mdat, dataEnd, issuesBefore, `${declared()}, but the samples of the moof before it end at byte ${dataEnd}, ${there}`);
  }

  private mdatEndingAt(mdat: BoxNode, dataEnd: number, issuesBefore: number, why: string): BoxNode {
    this.issues.length = issuesBefore;
    this.report('error', 'MDAT_SIZE_WRONG', `${why}: read as ${dataEnd - mdat.offset} bytes, ending there`, mdat.offset);
    return new BoxNode('mdat', mdat.offset, mdat.headerSize, dataEnd - mdat.offset, undefined);
  }

  /**
   * A top-level moov or moof whose size is damaged: past the end of the file, too small for any box of
   * its own (its mfhd and trafs then follow it at the top level), or (a moov) ending where no box starts.
   * Read as holding the whole boxes after its header up to the first that stands only at the top level,
   * when one of them belongs only in it.
   */
  private containerOfItsChildren(window: ByteWindow, box: BoxNode, end: number, issuesBefore: number): BoxNode {
    const declaredEnd = box.offset + box.size;
    const empty = box.size - box.headerSize < 8;
    if (!box.truncated && !empty && (declaredEnd === end || boxTypeAt(window, declaredEnd, end))) return box;
    const run = boxRun(window, box.offset + box.headerSize, end, (type) => !FILE_LEVEL_ONLY.has(type));
    const own = childrenOnlyIn(box.type);
    // Boxes that run to the end of the file are a file cut short, not a wrong size.
    if (run.end === declaredEnd || run.next === undefined || !run.types.some((type) => own?.has(type))) return box;
    this.issues.length = issuesBefore;
    const left = box.truncated ? `, only ${end - box.offset} left in the file` : '';
    this.report('error', 'BOX_SIZE_WRONG', `'${box.type}' declares ${box.size} bytes${left}, but the boxes that belong in it end at byte ${run.end}, where a '${run.next}' box starts: read as ${run.end - box.offset} bytes, ending there`, box.offset);
    return new BoxNode(box.type, box.offset, box.headerSize, run.end - box.offset, box.uuid);
  }

  /**
   * A box of size 0 ("to the end", which only the last box of a file may say) inside `parent`: when the
   * boxes that stand only inside it are followed by another box, it ends there, and that box is its sibling
   * rather than its child (a traf of size 0 would swallow the next traf).
   */
  private sizeZeroByItsChildren(r: BoxReader, box: BoxNode, end: number, parent: string): BoxNode {
    const own = childrenOnlyIn(box.type);
    if (!own) return box;
    const window: ByteWindow = { bytes: r.bytes, start: r.base, end: r.base + r.bytes.length, fill: () => undefined };
    const run = boxRun(window, box.offset + box.headerSize, end, (type) => own.has(type));
    if (run.next === undefined) return box;
    this.issues.pop(); // header()'s BOX_SIZE_ZERO warning
    this.report('error', 'BOX_SIZE_WRONG', `'${box.type}' has size 0 (to the end) inside '${parent}', where only the last box of a file may: read as ${run.end - box.offset} bytes, up to the '${run.next}' at byte ${run.end}`, box.offset);
    return new BoxNode(box.type, box.offset, box.headerSize, run.end - box.offset, box.uuid);
  }

  /** Fewer than 8 bytes (bytes[at, at + avail)) left: a cut box header at the top level; inside a box, zeros are padding. */
  private trailing(bytes: Uint8Array, at: number, pos: number, avail: number, parent: string | undefined): void {
    if (parent === undefined) {
      this.report('error', 'BOX_HEADER_TRUNCATED', `${avail} bytes at the end of the file: too few for a box header`, pos);
      return;
    }
    let zeros = true;
    for (let i = at; i < at + avail; i++) if (bytes[i] !== 0) zeros = false;
    if (zeros) this.report('info', 'BOX_PADDING', `${avail} zero bytes after the last box in '${parent}'`, pos);
    else this.report('warning', 'BOX_HEADER_TRUNCATED', `${avail} bytes left in '${parent}': too few for a box header`, pos);
  }

  private mayDecode(box: Box, depth: number): boolean {
    if (depth < this.maxDepth) return true;
    this.report('warning', 'BOX_NESTING_TOO_DEEP', `'${box.type}' is nested ${depth} deep; not decoded`, box.offset);
    return false;
  }

  /** Decodes a box whose bytes are in `r.bytes` (read with it or with its parent): fields, then children. */
  private decode(r: BoxReader, box: BoxNode, spec: BoxSpec, boxEnd: number, parent: string | undefined, depth: number): void {
    const { bytes, base } = r;
    const { offset, type } = box;
    const truncated = box.truncated === true;
    const end = Math.min(boxEnd - base, bytes.length);
    let p = offset - base + box.headerSize;
    let version = 0;
    let flags = 0;
    if (spec.full) {
      if (end < p + 4) {
        if (!truncated) this.report('error', 'BOX_FIELDS_OVERRUN', `'${type}' is too small for its version and flags`, offset);
        return;
      }
      version = bytes[p] ?? 0;
      flags = ((bytes[p + 1] ?? 0) << 16) | ((bytes[p + 2] ?? 0) << 8) | (bytes[p + 3] ?? 0);
      p += 4;
      box.version = version;
      box.flags = flags;
    }
    const parse = spec.parse;
    if (parse) {
      const ctx = this.ctx;
      ctx.type = type;
      ctx.offset = offset;
      ctx.size = box.size;
      ctx.version = version;
      ctx.flags = flags;
      ctx.handler = this.handler;
      ctx.truncated = truncated;
      r.reset(p, end);
      try {
        box.fields = parse(r, ctx);
      } catch (e) {
        this.report('error', 'BOX_PARSE_FAILED', `'${type}' could not be decoded: ${e instanceof Error ? e.message : String(e)}`, offset);
        return;
      }
      if (r.overrun && !truncated) this.report('error', 'BOX_FIELDS_OVERRUN', `the fields of '${type}' run past its end (${box.size} bytes)`, offset);
      p = Math.min(r.pos, r.end);
      if (type === 'hdlr' && parent === 'mdia') this.handler = (box.fields as { handlerType?: string }).handlerType;
    }
    if (spec.container) {
      const saved = this.enterChildren(box);
      box.children = this.walkBytes(r, base + p, boxEnd, type, depth + 1, truncated);
      this.leaveChildren(box, saved);
    }
  }

  /** Before walking a container's children: a 'trak' starts without a handler. Returns what to restore. */
  private enterChildren(box: Box): string | undefined {
    const saved = this.handler;
    if (box.type === 'trak') this.handler = undefined;
    return saved;
  }

  /** After a container's children: the handler found in a 'trak' ends with it. */
  private leaveChildren(box: Box, saved: string | undefined): void {
    if (box.type === 'trak') this.handler = saved;
  }
}

/** The size field of the box header at `pos`. */
function sizeFieldAt(window: ByteWindow, pos: number): number {
  window.fill(pos, 4);
  return u32At(window.bytes, pos - window.start);
}

/**
 * The type of the box header at `pos` (before `end`) when it looks like one: a printable type and a size
 * no smaller than a header (the box may run past `end`: a file cut after it).
 */
function boxTypeAt(window: ByteWindow, pos: number, end: number): string | undefined {
  if (end - pos < 8) return undefined;
  window.fill(pos, 8);
  const at = pos - window.start;
  const info = boxType(fourccCode(window.bytes, at + 4));
  const size32 = u32At(window.bytes, at);
  // 0: to the end; 1: a 64-bit size follows; 2-7: less than a header.
  return info.printable && (size32 <= 1 || size32 >= 8) ? info.type : undefined;
}

/** The same, when the whole box is before `end` too (a box boundary that can be trusted): its type and end. */
function wholeBoxAt(window: ByteWindow, pos: number, end: number): { type: string; end: number } | undefined {
  const type = boxTypeAt(window, pos, end);
  if (!type) return undefined;
  window.fill(pos, Math.min(16, end - pos));
  const at = pos - window.start;
  const size32 = u32At(window.bytes, at);
  if (size32 === 0) return { type, end };
  if (size32 !== 1) return pos + size32 <= end ? { type, end: pos + size32 } : undefined;
  if (end - pos < 16) return undefined;
  const size = u32At(window.bytes, at + 8) * 0x1_0000_0000 + u32At(window.bytes, at + 12);
  return size >= 16 && pos + size <= end ? { type, end: pos + size } : undefined;
}

/**
 * Whole boxes one after another from `pos`: where they end (at `end`, at a header that is no whole box,
 * or at the first box `belongs` refuses, whose type is then `next`) and their types.
 */
function boxRun(window: ByteWindow, pos: number, end: number, belongs: (type: string) => boolean): { end: number; next: string | undefined; types: string[] } {
  const types: string[] = [];
  while (pos < end) {
    const box = wholeBoxAt(window, pos, end);
    if (!box || !belongs(box.type)) return { end: pos, next: box?.type, types };
    types.push(box.type);
    pos = box.end;
  }
  return { end: pos, next: undefined, types };
}

/** How far back from the end of a file a moov that ends it is looked for (a long recording's moov takes megabytes). */
const MOOV_SEARCH_BYTES = 64 * 1024 * 1024;
const MOOV_SEARCH_CHUNK = 1024 * 1024;

/** Where a 'moov' box that ends the input at `end` starts, searched for back to `from` (a plain MP4's moov is written last). */
function trailingMoovAt(window: ByteWindow, from: number, end: number): number | undefined {
  const stop = Math.max(from, end - MOOV_SEARCH_BYTES);
  for (let chunkEnd = end; chunkEnd - 8 >= stop; chunkEnd -= MOOV_SEARCH_CHUNK) {
    const chunkStart = Math.max(stop, chunkEnd - MOOV_SEARCH_CHUNK - 7);
    window.fill(chunkStart, chunkEnd - chunkStart);
    const bytes = window.bytes;
    const base = window.start;
    // Each 'v' of the chunk, from the last: a 'moov' type ends there when 'moo' comes before it.
    for (let v = bytes.lastIndexOf(0x76, chunkEnd - base - 1); v >= chunkStart - base + 7; v = bytes.lastIndexOf(0x76, v - 1)) {
      if (bytes[v - 1] !== 0x6f || bytes[v - 2] !== 0x6f || bytes[v - 3] !== 0x6d) continue;
      const boxStart = base + v - 7;
      if (boxStart + u32At(bytes, v - 7) === end) return boxStart;
    }
  }
  return undefined;
}

/**
 * Walks the boxes of a whole source. `hooks.box` sees each top-level box as soon as it is read (with
 * its children), so a caller can build on it while the walk goes on; `hooks.skim` may read a top-level
 * box itself first, which then stays a leaf.
 */
export function readBoxes(source: ByteSource, options: WalkOptions = {}, hooks?: TopLevelHooks): BoxTree {
  const walker = new Walker(options, hooks);
  const boxes = walker.walkSource(source, 0, source.size, undefined, 0, false);
  return { boxes, issues: walker.issues };
}

/**
 * Walks the boxes in [start, end) of a source, e.g. to expand one box on demand. Decodes registered
 * boxes, descends into containers, skips everything else (mdat payloads are never read).
 */
export function walkBoxes(source: ByteSource, start: number, end: number, options: WalkOptions = {}, parentType?: string): BoxTree {
  const walker = new Walker(options);
  const stop = Math.min(end, source.size);
  const boxes = walker.walkSource(source, Math.max(0, start), stop, parentType, parentType === undefined ? 0 : 1, false);
  return { boxes, issues: walker.issues };
}
