// Element trees for the inspector UI and JSON output. Big masters (Clusters) can be left unexpanded and
// read later with readChildren, so a tree costs what is shown.
import type { ByteSource, ByteWindow } from '../byteSource';
import type { Issue } from '../issues';
import type { EbmlSchema } from './schema';
import { mayContain } from './schema';
import type { EbmlElement, EbmlVisitor, SkimContext, WalkOptions } from './walker';
import { PEEK_BYTES, SKIM_NEVER, sizeReported, walkEbml } from './walker';
import { elementIdValue, VINT_WIDTHS } from './vint';
import { decodeValue, valueReadLength } from './values';
import type { EbmlValue } from './values';

export interface EbmlNode extends EbmlElement {
  /** Children of a master; undefined when not expanded (read them with readChildren). */
  children?: EbmlNode[];
}

export interface TreeOptions extends Omit<WalkOptions, 'parent'> {
  /** Whether to read a master's children now (default: always). */
  expand?: (element: EbmlElement) => boolean;
}

export interface EbmlTree {
  nodes: EbmlNode[];
  issues: Issue[];
}

/** The elements of [options.start, options.end) (default: the whole source) as a tree. */
export function readTree(source: ByteSource, schema: EbmlSchema, options: TreeOptions = {}): EbmlTree {
  return buildTree(source, schema, options, undefined);
}

/** The children of one master element found earlier (e.g. a Cluster left unexpanded). */
export function readChildren(source: ByteSource, schema: EbmlSchema, element: EbmlElement, options: TreeOptions = {}): EbmlTree {
  if (element.type !== 'master') return { nodes: [], issues: [] };
  return buildTree(source, schema, { ...options, start: element.offset + element.headerSize, end: element.end }, element);
}

function buildTree(source: ByteSource, schema: EbmlSchema, options: TreeOptions, parent: EbmlElement | undefined): EbmlTree {
  const builder = new TreeBuilder(options.expand);
  const walkOptions: WalkOptions = parent ? { ...options, parent } : options;
  const { issues } = walkEbml(source, schema, builder, walkOptions);
  return { nodes: builder.nodes, issues };
}

/**
 * A visitor that collects the elements it is shown into a tree: give it to walkEbml on its own (what
 * readTree does) or next to another visitor (see pairVisitors) to get the tree from that visitor's walk.
 */
export class TreeBuilder implements EbmlVisitor {
  /** The root elements, with their children. */
  readonly nodes: EbmlNode[] = [];
  /** The open masters that get children, innermost last. */
  private readonly open: EbmlNode[] = [];

  /** `expand`: whether a master's children go into the tree (default: always; it may be asked more than once per element). */
  constructor(private readonly expand?: (element: EbmlElement) => boolean) {}

  enter(element: EbmlElement): boolean | undefined {
    const node: EbmlNode = element;
    (this.open[this.open.length - 1]?.children ?? this.nodes).push(node);
    if (element.type !== 'master') return undefined;
    const descend = this.expand ? this.expand(element) : true;
    if (descend) {
      node.children = [];
      this.open.push(node);
    }
    return descend;
  }

  leave(element: EbmlElement): void {
    if (this.open[this.open.length - 1] === element) this.open.pop();
  }

  /**
   * The fast path (EbmlVisitor.skim) for the children of the innermost open node: the nodes the walker
   * would make, in one loop, children of expanded masters included, as long as nothing in them is
   * something the walker reports or must track (an unknown id or size, damage, a size the schema does
   * not allow, an element past its parent's end or too deep). Such an element is left to the walker
   * together with the whole subtree it is in, from the child of `parent` that holds it (its nodes made
   * here are dropped).
   */
  skim(parent: EbmlElement, window: ByteWindow, start: number, bound: number, walk: SkimContext): number {
    const top = this.open[this.open.length - 1];
    if (top !== parent || !top.children) return SKIM_NEVER; // not a node it fills (that stays so while it is open)
    const siblings = top.children;
    const { schema, values, maxIdLength } = walk;
    const parentSpec = parent.dataSize === null ? schema.get(parent.id) : undefined;
    const depthLeft = walk.maxDepth - walk.depth;
    // The masters opened here (innermost last), the children of the innermost and where it ends.
    const opened: EbmlNode[] = [];
    let children = siblings;
    let end = bound;
    // Where the current child of `parent` starts, and the siblings before it.
    let checkpoint = start;
    let kept = siblings.length;
    const widths = VINT_WIDTHS;
    // The window as last filled; what it held before this call may be stale (another read since).
    let bytes = window.bytes;
    let windowStart = 0;
    let windowEnd = -1;
    let pos = start;
    for (;;) {
      while (pos >= end && opened.length > 0) {
        opened.pop();
        const outer = opened[opened.length - 1];
        children = outer?.children ?? siblings;
        end = outer ? outer.end : bound;
      }
      if (opened.length === 0) {
        checkpoint = pos;
        kept = siblings.length;
      }
      if (pos >= end) return pos;

      if (pos < windowStart || pos + PEEK_BYTES > windowEnd) {
        window.fill(pos, PEEK_BYTES);
        bytes = window.bytes;
        windowStart = window.start;
        windowEnd = window.end;
      }
      const i = pos - windowStart;
      const avail = (windowEnd < end ? windowEnd : end) - pos;
      const idWidth = widths[bytes[i] ?? 0] ?? 0;
      if (idWidth === 0 || idWidth > maxIdLength || idWidth >= avail) break;
      const id = elementIdValue(bytes, i, idWidth);
      const spec = id < 0 ? undefined : schema.get(id);
      if (!spec) break;
      if (parentSpec && opened.length === 0 && !mayContain(parentSpec, spec)) break;
      const first = bytes[i + idWidth] ?? 0;
      const sizeWidth = widths[first] ?? 0;
      const headerSize = idWidth + sizeWidth;
      if (sizeWidth === 0 || headerSize > avail) break;
      const mask = 0xff >> sizeWidth;
      let size = first & mask;
      let allOnes = size === mask;
      for (let k = i + idWidth + 1; k < i + headerSize; k++) {
        const byte = bytes[k] ?? 0;
        size = size * 256 + byte;
        if (byte !== 0xff) allOnes = false;
      }
      const dataStart = pos + headerSize;
      const elementEnd = dataStart + size;
      if (allOnes || elementEnd > end || sizeReported(spec, size)) break;
      const type = spec.type;
      const node: EbmlNode = {
        id,
        name: spec.name,
        type,
        level: parent.level + 1 + opened.length,
        offset: pos,
        headerSize,
        dataSize: size,
        end: elementEnd,
        value: undefined,
      };
      if (type === 'master') {
        if (opened.length >= depthLeft) break;
        children.push(node);
        if (this.expand ? this.expand(node) : true) {
          children = node.children = [];
          opened.push(node);
          end = elementEnd;
          pos = dataStart;
        } else {
          pos = elementEnd;
        }
        continue;
      }
      if (values) {
        const length = Math.min(valueReadLength(type, size), size);
        if (headerSize + length > avail) {
          window.fill(dataStart, length);
          bytes = window.bytes;
          windowStart = window.start;
          windowEnd = window.end;
          if (windowEnd < dataStart + length) break;
        }
        node.value = decodeValue(type, bytes, dataStart - windowStart, length, dataStart, size);
      }
      children.push(node);
      pos = elementEnd;
    }
    // Left to the walker: the child of `parent` this element is in (the element itself at the top).
    siblings.length = kept;
    return checkpoint;
  }
}

/** Reads and decodes the value of a non-master element found earlier (e.g. with values off). */
export function readValue(source: ByteSource, element: EbmlElement): EbmlValue | undefined {
  const dataStart = element.offset + element.headerSize;
  const dataSize = element.end - dataStart;
  const bytes = source.read(dataStart, valueReadLength(element.type, dataSize));
  return decodeValue(element.type, bytes, 0, bytes.length, dataStart, dataSize);
}
