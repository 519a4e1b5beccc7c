// The container's own structure, for `kvs-inspect --tree` and the inspector's tree: every box or EBML
// element with its offset and size, and the fields of each under the names of its specification.
import type { ContainerField } from '../bits/syntax';
import type { ByteSource } from '../byteSource';
import { readChildren, readTree, type EbmlNode } from '../ebml/tree';
import { hex } from '../hex';
import { boxSyntax, type BoxPlace } from '../isobmff/boxSyntax';
import { boxName, boxSpec, fieldsOf } from '../isobmff/registry';
import { findBoxes } from '../isobmff/find';
import type { Box } from '../isobmff/types';
import { readIsoBmff } from '../isobmff/readIsoBmff';
import { blockHeaderSyntax } from '../matroska/blockHeader';
import { ElementId as Id } from '../matroska/elementTable';
import { matroskaSchema } from '../matroska/schema';
import { detectPacketSize } from '../mpegts';
import { packetSyntax, TS_PACKET_SIZE } from '../mpegts/packetSyntax';
import { sniffFormat } from './sniff';

export interface StructureNode {
  /** Absolute offset of the first byte. */
  offset: number;
  /** Bytes in all, header included (as read: cut to the parent or the input when declared longer). */
  size: number;
  headerSize: number;
  /** Box type ('moov'); EBML id in hex ('0x1A45DFA3'); what a TS packet starts ('PAT', 'PMT', 'PES', 'section'). */
  type: string;
  /** The specification's name: 'MovieBox', 'Segment', 'transport_packet'. */
  name: string;
  /** An EBML element's value (a binary one as hex when it is short). */
  value?: number | string;
  /** A box's fields, its header's included; a SimpleBlock's or Block's header fields; a TS packet's fields. */
  fields?: ContainerField[];
  children?: StructureNode[];
}

/** Binary EBML values up to this size are shown as hex (UIDs, small codec data); longer ones by size. */
const MAX_HEX_VALUE_BYTES = 32;

const TS_SYNC = 0x47;
/** Track number (a VINT of up to 8 bytes), timestamp and flags. */
const BLOCK_HEADER_BYTES = 11;

/** Called with each node in file order, depth first (a node right before its children), and its depth. */
export type StructureVisitor = (node: StructureNode, depth: number) => void;

/**
 * Walks the structure of a Matroska/WebM or ISO BMFF input, or the packets of an MPEG-TS input that
 * start a PES packet or a PAT/PMT section (nothing for other formats), handing each node to `visit`
 * without its children and without keeping it: what it holds at once is the box tree (boxes, not their
 * fields) or the element tree without the Clusters' children (read one Cluster at a time).
 */
export function walkStructure(source: ByteSource, visit: StructureVisitor): void {
  const format = sniffFormat(source);
  // Through readIsoBmff, not the bare walker: its fragments tell where a damaged mdat really ends.
  if (format === 'isobmff') visitBoxes(source, readIsoBmff(source, { samples: false }).boxes, {}, 0, visit);
  else if (format === 'matroska') visitElements(source, readTree(source, matroskaSchema(), { expand: (element) => element.id !== Id.Cluster }).nodes, 0, visit);
  else if (format === 'mpeg-ts') visitPackets(source, visit);
}

/** The whole structure as a tree (for small inputs: a long file's has millions of nodes; see walkStructure). */
export function readStructure(source: ByteSource): StructureNode[] {
  const roots: StructureNode[] = [];
  const open: StructureNode[] = [];
  walkStructure(source, (node, depth) => {
    open.length = depth;
    const parent = open[depth - 1];
    if (parent) (parent.children ??= []).push(node);
    else roots.push(node);
    open.push(node);
  });
  return roots;
}

function visitBoxes(source: ByteSource, boxes: readonly Box[], place: BoxPlace, depth: number, visit: StructureVisitor): void {
  for (const box of boxes) {
    const size = box.truncated ? Math.min(box.size, source.size - box.offset) : box.size;
    visit({ offset: box.offset, size, headerSize: box.headerSize, type: box.type, name: boxSpec(box.type, place.parentType, place.handler)?.name ?? boxName(box.type) ?? '', fields: boxSyntax(source, box, place) }, depth);
    if (box.children) visitBoxes(source, box.children, { parentType: box.type, handler: box.type === 'trak' ? handlerOf(box) : place.handler }, depth + 1, visit);
  }
}

/** The handler_type of a 'trak' ('vide', 'soun'): what its sample entries are. */
function handlerOf(trak: Box): string | undefined {
  return fieldsOf(findBoxes([trak], 'trak/mdia/hdlr')[0], 'hdlr')?.handlerType;
}

/** TS packets read per window. */
const PACKETS_PER_READ = 2048;

/** Packets that start a PES packet or a section, with their fields; PMT PIDs are learnt from the PATs on the way. */
function visitPackets(source: ByteSource, visit: StructureVisitor): void {
  const { packetSize, first } = detectPacketSize(source);
  const pmtPids = new Set<number>();
  for (let start = first; start < source.size; start += packetSize * PACKETS_PER_READ) {
    const window = source.read(start, Math.min(packetSize * PACKETS_PER_READ, source.size - start));
    for (let at = 0; at + 4 <= window.length; at += packetSize) {
      const b1 = window[at + 1] ?? 0;
      if (window[at] !== TS_SYNC || (b1 & 0x40) === 0) continue;
      const pid = ((b1 & 0x1f) << 8) | (window[at + 2] ?? 0);
      const payload = pid === 0 ? 'pat' : pmtPids.has(pid) ? 'pmt' : 'other';
      const fields = packetSyntax(window.subarray(at, at + TS_PACKET_SIZE), start + at, payload);
      if (payload === 'pat') for (const field of fields) if (field.path.endsWith('.program_map_PID')) pmtPids.add(Number(field.value));
      const type = payload === 'pat' ? 'PAT' : payload === 'pmt' ? 'PMT' : fields.some((field) => field.path === 'PES_packet.stream_id') ? 'PES' : 'section';
      visit({ offset: start + at, size: Math.min(TS_PACKET_SIZE, window.length - at), headerSize: 4, type, name: 'transport_packet', fields }, 0);
    }
  }
}

/** Elements, and the children of each Cluster read when it is reached (and dropped after). */
function visitElements(source: ByteSource, elements: readonly EbmlNode[], depth: number, visit: StructureVisitor): void {
  for (const element of elements) {
    visit(elementNode(source, element), depth);
    const children = element.id === Id.Cluster && !element.children ? readChildren(source, matroskaSchema(), element).nodes : element.children;
    if (children) visitElements(source, children, depth + 1, visit);
  }
}

function elementNode(source: ByteSource, element: EbmlNode): StructureNode {
  const node: StructureNode = { offset: element.offset, size: element.end - element.offset, headerSize: element.headerSize, type: `0x${element.id.toString(16).toUpperCase()}`, name: element.name };
  const { value } = element;
  if (typeof value === 'number' || typeof value === 'string') node.value = value;
  else if (typeof value === 'bigint') node.value = value.toString();
  else if (value && value.size <= MAX_HEX_VALUE_BYTES) node.value = hex(source.read(value.offset, value.size));
  if (element.id === Id.SimpleBlock || element.id === Id.Block) {
    const dataOffset = element.offset + element.headerSize;
    node.fields = blockHeaderSyntax(source.read(dataOffset, Math.min(BLOCK_HEADER_BYTES, element.end - dataOffset)), dataOffset, element.id === Id.SimpleBlock);
  }
  return node;
}
