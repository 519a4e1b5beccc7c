// A track declared again further on: in later Matroska segments (GetMedia returns one EBML document per
// fragment, each with its Tracks), or in a later moov (MP4 recordings or HLS init segments joined end to
// end). Where the codec or its codec private data changes, the frames after it are those of the new
// declaration.
import { hex } from '../hex';
import { issue, type Issue } from '../issues';
import { CODEC_PRIVATE_CHANGED_HINT, type DecodedCodecPrivate } from './codecPrivate';
import type { VideoTrackContext } from './container';
import type { TrackReport } from './report';

/** What a declaration says that matters here. */
export interface Declared {
  number: number;
  /** Matroska CodecID, or the ISO BMFF sample entry type. */
  codecId: string;
  /** Where the codec private data is, and its bytes when they were read. */
  codecPrivate?: { readonly bytes?: Uint8Array | undefined; readonly offset: number } | null | undefined;
  /** Where the track is declared. */
  offset: number;
}

/** A segment or moov and the tracks it declares. */
export interface Declaring<T> {
  offset: number;
  tracks: readonly T[];
}

export interface TrackDeclarations<T> {
  /** The track number's distinct declarations (codec and codec private data), in the order the groups make them. */
  readonly tracks: T[];
  /** Where each declaration first appears, as messages name it: "the segment at byte 5120". */
  readonly declaredIn: string[];
  /** For each group, the declaration its frames follow: its own, or the one before it for a group that declares none. */
  readonly ofGroup: Int32Array;
}

export interface Declarations<T> {
  byNumber: Map<number, TrackDeclarations<T>>;
  /** CODEC_PRIVATE_CHANGED for each group that declares a track otherwise than the group before. */
  changes: Issue[];
}

/** `groups` in file order; `where` names a group in messages ('segment', 'moov'). */
export function trackDeclarations<T>(groups: readonly Declaring<T>[], describe: (track: T) => Declared, where: string): Declarations<T> {
  const byNumber = new Map<number, TrackDeclarations<T> & { fingerprints: string[]; current: number }>();
  const changes: Issue[] = [];
  groups.forEach((group, index) => {
    for (const track of group.tracks) {
      const declared = describe(track);
      const print = `${declared.codecId}:${hex(declared.codecPrivate?.bytes ?? new Uint8Array(0))}`;
      const groupName = `the ${where} at byte ${group.offset}`;
      let declarations = byNumber.get(declared.number);
      if (!declarations) {
        declarations = { tracks: [track], declaredIn: [groupName], fingerprints: [print], ofGroup: new Int32Array(groups.length), current: 0 };
        byNumber.set(declared.number, declarations);
      }
      const before = declarations.tracks[declarations.current];
      let known = declarations.fingerprints.indexOf(print);
      if (known < 0) {
        known = declarations.tracks.push(track) - 1;
        declarations.declaredIn.push(groupName);
        declarations.fingerprints.push(print);
      }
      if (known !== declarations.current && before !== undefined) changes.push(changeIssue(describe(before), declared, groupName));
      declarations.current = known;
    }
    for (const declarations of byNumber.values()) declarations.ofGroup[index] = declarations.current;
  });
  return { byNumber, changes };
}

/**
 * Which fragments follow which declaration, given the group (segment, moov) that holds each fragment's
 * frames: `follows(number, k)` tells of each fragment whether it follows declaration `k` of track
 * `number`; `coverage(number, k)` is that as a video track's `coversFragment`, and nothing for a track
 * declared one way only (all its fragments follow that).
 */
export function fragmentFollowers<T>(declarations: Declarations<T>, groupOf: (fragment: number) => number): {
  follows: (number: number, k: number) => (fragment: number) => boolean;
  coverage: (number: number, k: number) => Pick<VideoTrackContext, 'coversFragment'>;
} {
  const follows = (number: number, k: number) => {
    const ofGroup = declarations.byNumber.get(number)?.ofGroup;
    return (fragment: number) => ofGroup?.[groupOf(fragment)] === k;
  };
  const coverage = (number: number, k: number) => ((declarations.byNumber.get(number)?.tracks.length ?? 0) < 2 ? {} : { coversFragment: follows(number, k) });
  return { follows, coverage };
}

/** KVS starts a new HLS discontinuity (and refuses DASH) when codec private data changes between fragments. */
function changeIssue(before: Declared, after: Declared, where: string): Issue {
  const what = before.codecId !== after.codecId ? `its codec from ${before.codecId} to ${after.codecId}` : 'its codec private data';
  return issue(
    'warning',
    'CODEC_PRIVATE_CHANGED',
    `Track ${after.number} changes ${what} in ${where}.`,
    after.codecPrivate?.offset ?? after.offset,
    CODEC_PRIVATE_CHANGED_HINT,
  );
}

/**
 * Whether declaration `k` of a track brings a codec none of its earlier declarations has (`codecOf`
 * names it), rather than new codec private data for one of theirs: what is judged of a codec alone
 * (whether KVS can package it, its codec ID) is then due again.
 */
export function bringsNewCodec<T>(declarations: readonly T[], k: number, codecOf: (track: T) => string): boolean {
  const codecs = declarations.slice(0, k + 1).map(codecOf);
  return codecs.indexOf(codecs[k] ?? '') === k;
}

/**
 * How messages name a later declaration of a track: which fragments follow it, and where it is
 * ("fragments 3–5, 9, as declared in the segment at byte 5120").
 */
export function declarationScope(declaredIn: string, fragmentCount: number, covers: (fragment: number) => boolean): string {
  const ranges: string[] = [];
  let covered = 0;
  for (let first = 0; first < fragmentCount; first++) {
    if (!covers(first)) continue;
    let last = first;
    while (last + 1 < fragmentCount && covers(last + 1)) last++;
    ranges.push(first === last ? `${first}` : `${first}–${last}`);
    covered += last - first + 1;
    first = last;
  }
  const shown = ranges.length > MAX_RANGES_NAMED ? [...ranges.slice(0, MAX_RANGES_NAMED), '…'] : ranges;
  const fragments = covered === 0 ? 'no fragment' : `fragment${covered > 1 ? 's' : ''} ${shown.join(', ')}`;
  return `${fragments}, as declared in ${declaredIn}`;
}

/** Runs of fragments a message names before it says "…". */
const MAX_RANGES_NAMED = 4;

/** How the frames of an H.264/H.265 track are judged, from its decoded codec private data. */
export function videoContext(number: number, codec: 'h264' | 'h265', decoded: DecodedCodecPrivate): VideoTrackContext {
  const size = decoded.nalLengthSize;
  return { number, codec, expected: size === 1 || size === 2 ? size : 4, declared: size !== undefined, reference: decoded.reference };
}

/** A track's frames may be reordered as far as any of its declarations allows. */
export function widenReorderLimit(report: TrackReport | undefined, limit: number | undefined): void {
  if (report?.maxReorderFrames === undefined) return;
  if (limit === undefined) delete report.maxReorderFrames;
  else report.maxReorderFrames = Math.max(report.maxReorderFrames, limit);
}
