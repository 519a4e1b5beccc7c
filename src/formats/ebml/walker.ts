// Walks EBML elements through a ByteSource, reading headers only (payloads are skipped by offset), with
// RFC 8794 §6.2 rules for unknown sizes: an unknown-size master ends where an element that cannot be
// its descendant starts (for GetMedia output: the next Cluster, Tags or EBML header). Never throws on
// bad bytes: damage becomes an issue, and the walk resynchronises on the next top-level element id.
import type { ByteSource, ByteWindow } from '../byteSource';
import { byteWindow } from '../byteSource';
import { issue, IssueLog, type Issue } from '../issues';
import { listed } from '../listed';
import { findSyncPoint } from './resync';
import type { EbmlSchema, EbmlType, ElementSpec } from './schema';
import { mayContain } from './schema';
import type { EbmlValue } from './values';
import { decodeValue, valueReadLength } from './values';
import { elementIdValue, UNKNOWN_SIZE, vintValue, vintWidth } from './vint';

export interface EbmlElement {
  readonly id: number;
  /** Schema name, or `Unknown` for ids the schema does not define. */
  readonly name: string;
  /** Schema type; `binary` for unknown ids. */
  readonly type: EbmlType;
  /** Nesting depth in the input (a root-level element is 0). */
  readonly level: number;
  /** Absolute offset of the element id. */
  readonly offset: number;
  /** Bytes of id and size. */
  readonly headerSize: number;
  /** Size as declared; null when unknown (all ones). */
  readonly dataSize: number | null;
  /**
   * Where the element ends as read: the declared end, cut to its parent and the input (a non-master
   * whose size runs past its parent ends where the next top-level element starts); for an unknown
   * size, where the next element that cannot be its child starts (final once left).
   */
  end: number;
  /** Decoded value of a non-master element (when values are decoded). */
  value?: EbmlValue;
}

export interface EbmlVisitor {
  /**
   * Called at every element. `peek` holds the input from `element.offset` on: the header and up to
   * {@link PEEK_BYTES} in all (fewer at the end of the input); it is valid only until the next read of
   * the source. Return false to skip a master's children (an unknown-size master is still walked,
   * without calls, to find its end).
   */
  enter(element: EbmlElement, peek: Uint8Array): boolean | undefined;
  /** Called for every master that `enter` was called for, once its end is known. */
  leave?(element: EbmlElement): void;
  /**
   * Optional fast path for elements a visitor sees by the thousand (a Cluster's blocks): called at each
   * child position of a master whose children `enter` asked for, with `pos` the position and `bound`
   * where the master's data ends (for an unknown size, its parent's). It may take the elements from
   * `pos` on itself, reading `window` (no EbmlElement, no `enter` call, no view per element), and
   * returns where it stopped: after the last element it took, or `pos` when it takes none, and then the
   * walker walks the next element as usual, or {@link SKIM_NEVER} when it will take none of this
   * master's children (the walker stops asking for them). It must take only elements that end by
   * `bound`, that the schema places in that master, and that the walker would report no issue for
   * (damage, sizes the schema does not allow, unknown sizes): those it leaves to the walker.
   */
  skim?(parent: EbmlElement, window: ByteWindow, pos: number, bound: number, walk: SkimContext): number;
}

/** What EbmlVisitor.skim returns when it will take none of a master's children. */
export const SKIM_NEVER = -1;

/** What a visitor's skim needs to know of the walk (see EbmlVisitor.skim). */
export interface SkimContext {
  readonly schema: EbmlSchema;
  /** Whether values are decoded. */
  readonly values: boolean;
  readonly maxIdLength: number;
  /** Masters nested this deep are the walker's (it reports them): depth counts the open masters, `parent` included. */
  readonly maxDepth: number;
  depth: number;
}

export interface WalkOptions {
  /** Absolute offset to start at (default 0). */
  start?: number;
  /** Absolute offset to stop at (default the end of the source). */
  end?: number;
  /** The master whose data [start, end) is (its children get its level + 1). */
  parent?: { readonly level: number };
  /** Decode the values of non-master elements (default true). */
  values?: boolean;
  /** Issues kept per code; the rest are counted in one ISSUES_SUPPRESSED issue per code (default 100). */
  maxIssuesPerCode?: number;
  /** Masters nested deeper are skipped (default 32). */
  maxDepth?: number;
  /** Longest element id accepted, EBMLMaxIDLength (default 4). */
  maxIdLength?: number;
}

export interface WalkResult {
  issues: Issue[];
}

/** Bytes read at each element: room for the longest header plus the start of the data (block headers). */
export const PEEK_BYTES = 32;

interface OpenMaster {
  readonly element: EbmlElement;
  readonly spec: ElementSpec | undefined;
  readonly end: number;
  readonly unknownSize: boolean;
  /** enter() was called for it, so leave() is due. */
  readonly reported: boolean;
  /** Its children are walked without calls. */
  readonly silent: boolean;
  /** The visitor's skim is asked at its children (until it answers SKIM_NEVER). */
  skims: boolean;
}

const hex = (id: number): string => `0x${id.toString(16).toUpperCase()}`;

/** An element the input ends inside: the input is cut there (or it is an element header the input ends in). */
interface CutElement {
  readonly name: string;
  readonly offset: number;
  /** What it says of this element alone. */
  readonly text: string;
  /** Bytes the input lacks to the element's declared end. */
  readonly short: number;
}

export function walkEbml(source: ByteSource, schema: EbmlSchema, visitor: EbmlVisitor, options: WalkOptions = {}): WalkResult {
  const walk = new Walk(source, schema, visitor, options);
  // One element per call: a small method that V8 optimises after a few hundred elements, where a
  // loop over the whole input would run unoptimised until on-stack replacement, thousands later.
  while (walk.step()) {
    // next element
  }
  walk.reportCut();
  return { issues: walk.log.finish() };
}

class Walk {
  readonly log: IssueLog;
  private readonly sourceSize: number;
  private readonly rangeEnd: number;
  private readonly baseLevel: number;
  private readonly decodeValues: boolean;
  private readonly maxDepth: number;
  private readonly maxIdLength: number;
  private readonly stack: OpenMaster[] = [];
  private pos: number;
  /** For the visitor's skim, when it has one. */
  private readonly window: ByteWindow | undefined;
  private readonly skimContext: SkimContext;
  /**
   * Elements the input ends inside, outermost first, each inside the one before: one cut, reported
   * once at the walk's end, at the innermost (a cut file would otherwise give an error for its
   * Segment, its last Cluster and that Cluster's last block).
   */
  private readonly cut: CutElement[] = [];

  constructor(
    private readonly source: ByteSource,
    private readonly schema: EbmlSchema,
    private readonly visitor: EbmlVisitor,
    options: WalkOptions,
  ) {
    this.log = new IssueLog(options.maxIssuesPerCode);
    this.sourceSize = source.size;
    this.rangeEnd = Math.min(options.end ?? this.sourceSize, this.sourceSize);
    this.baseLevel = options.parent ? options.parent.level + 1 : 0;
    this.decodeValues = options.values !== false;
    this.maxDepth = options.maxDepth ?? 32;
    this.maxIdLength = options.maxIdLength ?? 4;
    this.pos = Math.max(0, options.start ?? 0);
    this.window = visitor.skim ? byteWindow(source) : undefined;
    this.skimContext = { schema, values: this.decodeValues, maxIdLength: this.maxIdLength, maxDepth: this.maxDepth, depth: 0 };
  }

  /** Walks the next element (or skips damaged bytes); false at the end of the range. */
  step(): boolean {
    const stack = this.stack;
    let top = stack[stack.length - 1];
    while (top && this.pos >= top.end) {
      this.close(top, top.end);
      top = stack[stack.length - 1];
    }
    const pos = this.pos;
    const bound = top ? top.end : this.rangeEnd;
    if (pos >= bound) return false;
    const window = this.window;
    if (window && top?.skims && this.visitor.skim) {
      const context = this.skimContext;
      context.depth = stack.length;
      const next = this.visitor.skim(top.element, window, pos, bound, context);
      if (next > pos) {
        this.pos = next;
        return true;
      }
      if (next === SKIM_NEVER) top.skims = false;
    }

    let peek = this.source.read(pos, PEEK_BYTES);
    const avail = Math.min(peek.length, bound - pos);

    // Element id
    const idWidth = vintWidth(peek[0] ?? 0);
    if (idWidth === 0 || idWidth > this.maxIdLength) {
      return this.skipDamage('EBML_INVALID_ID', `Invalid element id (first byte 0x${(peek[0] ?? 0).toString(16).padStart(2, '0')})`, pos + 1, bound);
    }
    if (idWidth >= avail) return this.headerCut(bound);
    const id = elementIdValue(peek, 0, idWidth);
    if (id < 0) return this.skipDamage('EBML_INVALID_ID', 'Reserved element id', pos + 1, bound);

    // Data size
    const sizeWidth = vintWidth(peek[idWidth] ?? 0);
    if (sizeWidth === 0) return this.skipDamage('EBML_INVALID_SIZE', `Invalid size (first byte 0x00) of element ${hex(id)}`, pos + 1, bound);
    const headerSize = idWidth + sizeWidth;
    if (headerSize > avail) return this.headerCut(bound);
    const size = vintValue(peek, idWidth, sizeWidth);
    let spec = this.schema.get(id);
    // At the root of the input an EBML header or a Segment starts (Void and CRC-32 aside; a Segment's
    // children are read there too, as bare Clusters are): any other id there is stray bytes (between
    // GetMedia documents, say), whatever size they read as, so the walk carries on at the next sync
    // point rather than skipping that size.
    if (!top && this.baseLevel === 0 && (!spec || spec.depth > 1)) {
      const what = spec ? `${spec.name} (${hex(id)}), which belongs in ${spec.parent?.name ?? 'another element'},` : `Unknown element id ${hex(id)}`;
      return this.skipDamage('EBML_STRAY_BYTES', `${what} where an EBML header or a Segment should start`, pos + 1, bound);
    }
    // An element that cannot be inside an open unknown-size master ends it (RFC 8794 §6.2). So does a
    // top-level element (a Cluster, an EBML header) inside a known-size master: that master's size is
    // wrong (a Cluster 9 bytes too long would otherwise swallow the next Cluster and read on in it).
    const resyncs = this.schema.syncIds.has(id);
    while (top && (top.unknownSize || resyncs) && !mayContain(top.spec, spec)) {
      if (!top.unknownSize) {
        const { name: master, offset: at } = top.element;
        this.log.add(issue('error', 'EBML_SIZE_PAST_PARENT', `${spec?.name ?? hex(id)} starts at offset ${pos} inside ${master} (offset ${at}), which cannot hold it: ${master} is taken to end there, not at ${top.end}.`, at));
      }
      this.close(top, pos);
      top = stack[stack.length - 1];
    }
    // Directly in a root element (the Segment) stand only its own children: an element that belongs
    // deeper is damage (an id hit by a flipped bit, whose size then swallows what follows), as is an
    // unknown id, unless what it holds shows which of the Segment's elements it is.
    if (top && top.spec?.depth === 0 && (!spec || spec.depth > 1)) {
      const found = spec ? undefined : this.levelOneByFirstChild(top.spec, peek, headerSize, avail);
      if (found) {
        const { element: named, firstChild } = found;
        this.log.add(issue('error', 'EBML_ID_DAMAGED', `Unknown element id ${hex(id)} at offset ${pos} holds a ${firstChild.name}, which only a ${named.name} holds: read as a ${named.name} (id ${hex(named.id)}).`, pos));
        spec = named;
      } else if (spec) {
        return this.skipDamage('EBML_ELEMENT_MISPLACED', `${spec.name} (${hex(id)}), which belongs in ${spec.parent?.name ?? 'another element'}, directly in the ${top.element.name}`, pos + 1, top.end);
      }
    }
    const parentBound = top ? top.end : this.rangeEnd;
    const type: EbmlType = spec ? spec.type : 'binary';
    const name = spec ? spec.name : 'Unknown';
    const dataStart = pos + headerSize;

    let end: number;
    let unknownSize = size === UNKNOWN_SIZE;
    // A master that may have an unknown size, declared 0 bytes and followed by a child of its own: a writer
    // that never patched the size it wrote first. Read as of unknown size, so that its children stay its.
    const child = size === 0 && spec?.type === 'master' && spec.unknownSizeAllowed ? this.childAt(spec, dataStart, parentBound) : undefined;
    if (child) {
      this.log.add(issue('error', 'EBML_SIZE_ZERO', `${name} at offset ${pos} declares 0 bytes, but its ${child.name} follows it: read as of unknown size, up to the first element it cannot hold.`, pos));
      unknownSize = true;
    }
    if (unknownSize) {
      if (type !== 'master') {
        return this.skipDamage('EBML_UNKNOWN_SIZE', `${name} (${hex(id)}) has an unknown size, which only master elements may have,`, dataStart, parentBound);
      }
      if (spec && !spec.unknownSizeAllowed) {
        this.log.add(issue('warning', 'EBML_UNKNOWN_SIZE_NOT_ALLOWED', `${name} at offset ${pos} has an unknown size, which the schema does not allow for it.`, pos));
      }
      end = parentBound;
    } else {
      end = dataStart + size;
      if (end > parentBound && !spec) {
        // An unknown id whose size runs past its parent is more likely damage than an element
        // (a few stray bytes before a Cluster read as an id and a size): find the next sync point.
        const past = end > this.sourceSize ? 'the end of the input' : `the end of its parent at ${parentBound}`;
        return this.skipDamage(end > this.sourceSize ? 'EBML_TRUNCATED' : 'EBML_SIZE_PAST_PARENT', `Unknown element id ${hex(id)} of ${size} bytes, past ${past},`, pos + 1, parentBound);
      }
      // So is one that holds a top-level element (an error page between two GetMedia documents).
      if (!spec && findSyncPoint(this.source, this.schema.syncIds, dataStart, end) < end) {
        return this.skipDamage('EBML_STRAY_BYTES', `Unknown element id ${hex(id)} of ${size} bytes, with a top-level element inside,`, pos + 1, parentBound);
      }
      if (end > parentBound) {
        end = this.sizePastParent(name, type, dataStart, end, parentBound);
        peek = this.source.read(pos, PEEK_BYTES); // (its search for a sync point read on)
      }
      if (spec) checkSize(this.log, spec, pos, size);
    }
    if (!spec) this.log.add(issue('info', 'EBML_UNKNOWN_ELEMENT', `Unknown element id ${hex(id)} at offset ${pos} (${size === UNKNOWN_SIZE ? 'unknown size' : `${size} bytes`}).`, pos));

    const element: EbmlElement = {
      id: spec ? spec.id : id, // (an id read as damaged is the element's it was read as)
      name,
      type,
      level: this.baseLevel + stack.length,
      offset: pos,
      headerSize,
      dataSize: unknownSize ? null : size,
      end,
      value: undefined,
    };
    const parentSilent = top ? top.silent : false;
    if (type === 'master') return this.enterMaster(element, spec, peek, parentSilent, parentBound);
    if (!parentSilent) this.enterLeaf(element, peek);
    this.pos = end;
    return true;
  }

  private enterMaster(element: EbmlElement, spec: ElementSpec | undefined, peek: Uint8Array, parentSilent: boolean, parentBound: number): boolean {
    const { offset, end, name } = element;
    const unknownSize = element.dataSize === null;
    const dataStart = offset + element.headerSize;
    if (this.stack.length >= this.maxDepth) {
      this.log.add(issue('warning', 'EBML_TOO_DEEP', `${name} at offset ${offset} is nested more than ${this.maxDepth} levels deep; its contents are skipped.`, offset));
      if (unknownSize) return this.skipDamage('EBML_UNKNOWN_SIZE', `${name} has an unknown size too deep to follow`, dataStart, parentBound);
      if (!parentSilent) {
        this.visitor.enter(element, peek);
        this.visitor.leave?.(element);
      }
      this.pos = end;
      return true;
    }
    const descend = parentSilent ? false : this.visitor.enter(element, peek) !== false;
    if (descend || unknownSize) {
      this.stack.push({ element, spec, end, unknownSize, reported: !parentSilent, silent: !descend, skims: descend && this.window !== undefined });
      this.pos = dataStart;
    } else {
      if (!parentSilent) this.visitor.leave?.(element);
      this.pos = end;
    }
    return true;
  }

  private enterLeaf(element: EbmlElement, peek: Uint8Array): void {
    if (this.decodeValues) {
      const { type, offset, headerSize, end } = element;
      const dataStart = offset + headerSize;
      const length = Math.min(valueReadLength(type, end - dataStart), end - dataStart);
      if (headerSize + length <= peek.length) {
        element.value = decodeValue(type, peek, headerSize, length, dataStart, end - dataStart);
      } else {
        const data = this.source.read(dataStart, length);
        element.value = decodeValue(type, data, 0, data.length, dataStart, end - dataStart);
        peek = this.source.read(offset, PEEK_BYTES);
      }
    }
    this.visitor.enter(element, peek);
  }

  private close(frame: OpenMaster, end: number): void {
    this.stack.pop();
    frame.element.end = end;
    // A master declared past the input, ended before the input's end (a top-level element inside it):
    // what follows is not inside it, so it is reported on its own.
    const last = this.cut[this.cut.length - 1];
    if (last?.offset === frame.element.offset && end < this.sourceSize) {
      this.cut.pop();
      this.log.add(issue('error', 'EBML_TRUNCATED', last.text, last.offset));
    }
    if (frame.reported) this.visitor.leave?.(frame.element);
  }

  /**
   * The child of `root` that an element with an unknown id is, by its first child (a Cluster's
   * Timestamp, a Tracks' TrackEntry), read from peek[dataAt, avail): undefined when that child is not
   * one that only a child of `root` holds.
   */
  private levelOneByFirstChild(root: ElementSpec, peek: Uint8Array, dataAt: number, avail: number): { element: ElementSpec; firstChild: ElementSpec } | undefined {
    const firstChild = this.firstNonGlobal(peek, dataAt, avail);
    const element = firstChild?.parent;
    return firstChild && element && element.depth === 1 && element.parent?.id === root.id ? { element, firstChild } : undefined;
  }

  /** The element of `master`'s own that starts at `pos` (before `bound`), a CRC-32 or Void aside. */
  private childAt(master: ElementSpec, pos: number, bound: number): ElementSpec | undefined {
    const peek = this.source.read(pos, Math.min(PEEK_BYTES, bound - pos));
    const spec = this.firstNonGlobal(peek, 0, peek.length);
    return spec?.parent?.id === master.id ? spec : undefined;
  }

  /**
   * The first element in peek[at, avail) that is no CRC-32 or Void (ffmpeg writes a CRC-32 first in each
   * Cluster); undefined when its header is not there or its id unknown.
   */
  private firstNonGlobal(peek: Uint8Array, at: number, avail: number): ElementSpec | undefined {
    for (;;) {
      const width = vintWidth(peek[at] ?? 0);
      const sizeWidth = vintWidth(peek[at + width] ?? 0);
      if (width === 0 || width > this.maxIdLength || sizeWidth === 0 || at + width + sizeWidth > avail) return undefined;
      const spec = this.schema.get(elementIdValue(peek, at, width));
      if (!spec?.global) return spec;
      at += width + sizeWidth + vintValue(peek, at + width, sizeWidth);
    }
  }

  /** Whether a top-level element id (and a valid size byte) starts at `pos`. */
  private syncIdAt(pos: number): boolean {
    const bytes = this.source.read(pos, 5);
    return bytes.length === 5 && this.schema.syncIds.has(elementIdValue(bytes, 0, 4)) && vintWidth(bytes[4] ?? 0) !== 0;
  }

  /** Reports damage at the current position and carries on at the next sync point in [from, bound). */
  private skipDamage(code: string, what: string, from: number, bound: number): boolean {
    const at = this.pos;
    const next = findSyncPoint(this.source, this.schema.syncIds, from, bound);
    const skipped = next - at;
    this.log.add(issue('error', code, `${what} at offset ${at}; skipped ${skipped} byte${skipped === 1 ? '' : 's'} to offset ${next}.`, at));
    this.pos = next;
    return true;
  }

  /**
   * The input or the parent ends inside the element header at the current position. When a top-level
   * element starts there, the parent's size is wrong (a Cluster a byte too long), and it ends there.
   */
  private headerCut(bound: number): boolean {
    const pos = this.pos;
    const top = this.stack[this.stack.length - 1];
    if (top && !top.unknownSize && bound < this.sourceSize && this.syncIdAt(pos)) {
      const { name: master, offset: at } = top.element;
      this.log.add(issue('error', 'EBML_SIZE_PAST_PARENT', `A top-level element starts at offset ${pos} inside ${master} (offset ${at}), ${top.end - pos} byte${top.end - pos === 1 ? '' : 's'} before its end: ${master} is taken to end there, not at ${top.end}.`, at));
      this.close(top, pos);
      return true;
    }
    if (bound >= this.sourceSize) {
      this.cut.push({ name: 'element header', offset: pos, text: `The input ends inside an element header at offset ${pos}`, short: 0 });
    } else {
      this.log.add(issue('error', 'EBML_SIZE_PAST_PARENT', `An element header at offset ${pos} crosses the end of its parent at ${bound}.`, pos));
    }
    this.pos = bound;
    return true;
  }

  /**
   * An element declared to end at `end`, past its parent's end: reported, and where it is taken to end.
   * When the input ends first and no open master declares that end, the input is cut and the element
   * ends with it (a master always, another element unless a top-level element starts in its data).
   * Otherwise its size is wrong (RFC 8794 §6: an element's data lies within its parent's): a master ends
   * with its parent (a top-level id inside it ends it sooner), another element where the next top-level
   * element starts in its parent, so that the Clusters after a bad Void are still read.
   */
  private sizePastParent(name: string, type: EbmlType, dataStart: number, end: number, parentBound: number): number {
    const pos = this.pos;
    if (!this.declaresEnd(parentBound)) {
      // Cut input, unless a top-level element starts inside the element's data: then its size is wrong
      // (a damaged Void or SimpleBlock in an unknown-size Segment or Cluster, as producers write them), and
      // the walk carries on there rather than losing the rest of the input.
      const next = type === 'master' ? parentBound : findSyncPoint(this.source, this.schema.syncIds, dataStart, parentBound);
      if (next < parentBound) {
        this.log.add(issue('error', 'EBML_INVALID_SIZE', `${name} at offset ${pos} ends at ${end}, past the end of the input (${this.sourceSize}), yet a top-level element starts inside it at ${next}: its size is wrong, and it is taken to end there.`, pos));
        return next;
      }
      const short = end - this.sourceSize;
      this.cut.push({ name, offset: pos, text: `${name} at offset ${pos} needs ${short} more bytes than the input has (it ends at ${end}, the input at ${this.sourceSize})`, short });
      return parentBound;
    }
    const past = `${name} at offset ${pos} ends at ${end}, past the end of its parent at ${parentBound}`;
    if (type === 'master') {
      this.log.add(issue('error', 'EBML_SIZE_PAST_PARENT', `${past}.`, pos));
      return parentBound;
    }
    const next = findSyncPoint(this.source, this.schema.syncIds, dataStart, parentBound);
    const where = next < parentBound ? `at ${next}, where the next top-level element starts` : 'with its parent';
    this.log.add(issue('error', 'EBML_SIZE_PAST_PARENT', `${past}: it is taken to end ${where}.`, pos));
    return next;
  }

  /** One EBML_TRUNCATED for the cut: at the innermost element the input ends in, naming the masters around it. */
  reportCut(): void {
    const inner = this.cut.pop();
    if (!inner) return;
    const outer = this.cut.splice(0).reverse();
    const around = outer.length === 0 ? '' : `; ${listed(outer.map(({ name, offset }) => `the ${name} at offset ${offset}`))} around it ${outer.length === 1 ? 'is' : 'are'} cut too (${listed(outer.map(({ short }) => String(short)))} bytes short)`;
    this.log.add(issue('error', 'EBML_TRUNCATED', `${inner.text}${around}.`, inner.offset));
  }

  /** Whether `bound` is where an open master of known size ends, rather than only the end of the input. */
  private declaresEnd(bound: number): boolean {
    if (bound < this.sourceSize) return true;
    return this.stack.some(({ element }) => element.dataSize !== null && element.offset + element.headerSize + element.dataSize === bound);
  }
}

function checkSize(log: IssueLog, spec: ElementSpec, pos: number, size: number): void {
  if (size === 0) {
    if (spec.notZero || spec.length !== undefined) {
      log.add(issue('warning', 'EBML_ZERO_SIZE', `${spec.name} at offset ${pos} is empty, which makes its value 0 where 0 is not allowed.`, pos));
    }
    return;
  }
  const expected = expectedSize(spec, size);
  if (expected) {
    log.add(issue('warning', 'EBML_BAD_LENGTH', `${spec.name} at offset ${pos} has ${size} bytes of data; it should have ${expected}.`, pos));
  }
}

/** The data size the schema wants instead of a non-zero `size`, or undefined when `size` is fine. */
function expectedSize(spec: ElementSpec, size: number): string | undefined {
  if (spec.length !== undefined && size !== spec.length) return `${spec.length} bytes`;
  if (spec.type === 'float' && size !== 4 && size !== 8) return '0, 4 or 8 bytes';
  if (spec.type === 'date' && size !== 8) return '0 or 8 bytes';
  if ((spec.type === 'uinteger' || spec.type === 'integer') && size > 8) return 'at most 8 bytes';
  return undefined;
}

/** Whether the walker reports an issue for an element of `spec` with `size` bytes of data (see checkSize). */
export function sizeReported(spec: ElementSpec, size: number): boolean {
  return size === 0 ? spec.notZero === true || spec.length !== undefined : expectedSize(spec, size) !== undefined;
}
