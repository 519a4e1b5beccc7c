// Element trees for the inspector UI and JSON output. Big masters (Clusters) can be left unexpanded and
// read later with readChildren, so a tree costs what is shown.
import type { ByteSource } from '../byteSource';
import type { Issue } from '../issues';
import type { EbmlSchema } from './schema';
import type { EbmlElement, EbmlVisitor, WalkOptions } from './walker';
import { walkEbml } from './walker';
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

  /** `expand`: whether a master's children go into the tree (default: always). */
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
}

/** Reads and decodes the value of a non-master element found earlier (e.g. with values off). */
export function readValue(source: ByteSource, element: EbmlElement): EbmlValue | undefined {
  const dataStart = element.offset + element.headerSize;
  const dataSize = element.end - dataStart;
  const bytes = source.read(dataStart, valueReadLength(element.type, dataSize));
  return decodeValue(element.type, bytes, 0, bytes.length, dataStart, dataSize);
}
