// Element trees for the inspector UI and JSON output. Big masters (Clusters) can be left unexpanded and
// read later with readChildren, so a tree costs what is shown.
import type { ByteSource } from '../byteSource';
import type { Issue } from '../issues';
import type { EbmlSchema } from './schema';
import type { EbmlElement, WalkOptions } from './walker';
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
  const expand = options.expand;
  const roots: EbmlNode[] = [];
  const open: EbmlNode[] = [];
  const walkOptions: WalkOptions = parent ? { ...options, parent } : options;
  const { issues } = walkEbml(
    source,
    schema,
    {
      enter(element) {
        const node: EbmlNode = element;
        (open[open.length - 1]?.children ?? roots).push(node);
        if (element.type !== 'master') return;
        const descend = expand ? expand(element) : true;
        if (descend) {
          node.children = [];
          open.push(node);
        }
        return descend;
      },
      leave(element) {
        if (open[open.length - 1] === element) open.pop();
      },
    },
    walkOptions,
  );
  return { nodes: roots, issues };
}

/** Reads and decodes the value of a non-master element found earlier (e.g. with values off). */
export function readValue(source: ByteSource, element: EbmlElement): EbmlValue | undefined {
  const dataStart = element.offset + element.headerSize;
  const dataSize = element.end - dataStart;
  const bytes = source.read(dataStart, valueReadLength(element.type, dataSize));
  return decodeValue(element.type, bytes, 0, bytes.length, dataStart, dataSize);
}
