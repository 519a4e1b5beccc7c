// The positions a segment's SeekHead and Cues give (counted from the start of the Segment's data),
// checked against the input: an index written for another file (a producer's header copied into every
// GetMedia document, a file edited without remuxing) sends players that follow it to the wrong bytes.
import type { ByteSource } from '../byteSource';
import { readChildren, type EbmlNode } from '../ebml/tree';
import { elementIdValue, VINT_WIDTHS } from '../ebml/vint';
import { issue, type Issue } from '../issues';
import { ElementId } from './elementTable';
import type { MatroskaFile, MatroskaSegment } from './model';
import { matroskaSchema } from './schema';

/** An index entry that points where its element is not. */
interface WrongEntry {
  /** Offset of the entry's position element. */
  offset: number;
  /** What the entry says, and what is there. */
  says: string;
}

/** Per kind of index: its wrong entries, and how many it has. */
interface Tally {
  /** The element that holds an entry's position, and what the entries are called. */
  names: [string, string];
  wrong: WrongEntry[];
  entries: number;
}

const FIX =
  'KVS ignores SeekHead and Cues (and copies a producer\'s header, SeekHead included, into every GetMedia document): a producer that streams should write neither. Remuxing the file (mkvmerge -o out.mkv in.mkv) writes both again.';

/** MKV_SEEK_POSITION_WRONG and MKV_CUE_POSITION_WRONG: one issue each, at the first wrong entry, counting the rest. */
export function indexPositionIssues(source: ByteSource, file: MatroskaFile): Issue[] {
  const seeks: Tally = { names: ['SeekPosition', 'SeekHead entries'], wrong: [], entries: 0 };
  const cues: Tally = { names: ['CueClusterPosition', 'cue points'], wrong: [], entries: 0 };
  for (const segment of file.documents.flatMap((document) => document.segments)) {
    if (segment.indexes.length === 0) continue; // most GetMedia documents: nothing to check, no set of clusters to make
    const where = segmentPositions(source, file, segment);
    for (const element of segment.indexes) {
      const children = readChildren(source, matroskaSchema(), element).nodes;
      if (element.id === ElementId.SeekHead) checkSeeks(source, children, where, seeks);
      else checkCues(children, where, cues);
    }
  }
  return [
    ...tallyIssue(seeks, 'MKV_SEEK_POSITION_WRONG',
      'Players that follow the SeekHead to the Cues, Tags or Chapters read other bytes there, and log errors (ffmpeg does when it first seeks).'),
    ...tallyIssue(cues, 'MKV_CUE_POSITION_WRONG',
      'Players seek through the Cues (ffmpeg, VLC, browsers playing WebM): a seek lands away from the Cluster it wants.'),
  ];
}

/** What the positions of a segment's index are counted from and checked against. */
interface SegmentPositions {
  dataStart: number;
  clusterOffsets: ReadonlySet<number>;
  /**
   * Positions from here on cannot be checked: the segment runs to the end of the input (cut short, or
   * of unknown size), so what is past the end may have been cut off.
   */
  unknownFrom: number;
}

function segmentPositions(source: ByteSource, file: MatroskaFile, segment: MatroskaSegment): SegmentPositions {
  const clusters = file.clusters.slice(segment.firstCluster, segment.firstCluster + segment.clusterCount);
  const declaredEnd = segment.dataSize === null ? Infinity : segment.offset + segment.headerSize + segment.dataSize;
  const cutOrOpen = segment.end >= source.size && declaredEnd > source.size;
  return {
    dataStart: segment.offset + segment.headerSize,
    clusterOffsets: new Set(clusters.map((cluster) => cluster.offset)),
    unknownFrom: cutOrOpen ? source.size : Infinity,
  };
}

function checkSeeks(source: ByteSource, seeks: readonly EbmlNode[], { dataStart, unknownFrom }: SegmentPositions, tally: Tally): void {
  for (const seek of seeks) {
    if (seek.id !== ElementId.Seek) continue;
    const idRef = child(seek, ElementId.SeekID)?.value;
    const position = child(seek, ElementId.SeekPosition);
    if (typeof idRef !== 'object' || typeof position?.value !== 'number') continue;
    const wanted = idAt(source.read(idRef.offset, idRef.size), idRef.size);
    if (wanted < 0) continue; // a SeekID that is no element id names nothing to look for
    tally.entries++;
    const at = dataStart + position.value;
    if (at >= unknownFrom) continue;
    const found = at < source.size ? idAt(source.read(at, 4), 4) : undefined;
    if (found === wanted) continue;
    const wantedName = elementName(wanted);
    const there = found === undefined ? `past the end of the input (${source.size} bytes)` : elementThere(found);
    tally.wrong.push({ offset: position.offset, says: `puts ${wantedName} at byte ${at} (${position.value} from the Segment's data at byte ${dataStart}), ${there}` });
  }
}

function checkCues(cuePoints: readonly EbmlNode[], { dataStart, clusterOffsets, unknownFrom }: SegmentPositions, tally: Tally): void {
  for (const point of cuePoints) {
    if (point.id !== ElementId.CuePoint) continue;
    for (const track of point.children ?? []) {
      const position = track.id === ElementId.CueTrackPositions ? child(track, ElementId.CueClusterPosition) : undefined;
      if (typeof position?.value !== 'number') continue;
      tally.entries++;
      const at = dataStart + position.value;
      if (clusterOffsets.has(at) || at >= unknownFrom) continue;
      tally.wrong.push({ offset: position.offset, says: `puts a Cluster at byte ${at} (${position.value} from the Segment's data at byte ${dataStart}), where none starts` });
    }
  }
}

function tallyIssue(tally: Tally, code: string, consequence: string): Issue[] {
  const [first] = tally.wrong;
  if (!first) return [];
  const [element, entries] = tally.names;
  const more = tally.wrong.length - 1;
  const rest = more > 0 ? `; ${more} more of the file's ${tally.entries} ${entries} are wrong too` : '';
  return [issue('warning', code, `The ${element} at byte ${first.offset} ${first.says}${rest}. ${consequence}`, first.offset, FIX)];
}

function child(node: EbmlNode, id: number): EbmlNode | undefined {
  return node.children?.find((element) => element.id === id);
}

/** The element id at the start of `bytes` (at most `length` bytes), or -1 when there is none. */
function idAt(bytes: Uint8Array, length: number): number {
  const width = VINT_WIDTHS[bytes[0] ?? 0] ?? 0;
  return width === 0 || width > 4 || width > Math.min(length, bytes.length) ? -1 : elementIdValue(bytes, 0, width);
}

function elementName(id: number): string {
  return matroskaSchema().get(id)?.name ?? `the element 0x${id.toString(16).toUpperCase()}`;
}

/** What an index entry finds at its position: a top-level element (or a Void left in place of one), or bytes of no such element. */
function elementThere(id: number): string {
  const spec = id < 0 ? undefined : matroskaSchema().get(id);
  if (!spec || !(spec.depth <= 1 || spec.id === ElementId.Void)) return 'where no top-level element starts';
  return `where ${/^[AEIOU]/.test(spec.name) ? 'an' : 'a'} ${spec.name} element starts`;
}
