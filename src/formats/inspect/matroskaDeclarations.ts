// A Matroska track number declared again in later segments (GetMedia returns one EBML document per
// fragment, each with its Tracks): where the CodecID or CodecPrivate changes, the frames after it are
// those of the new declaration.
import { hex } from '../hex';
import { issue, type Issue } from '../issues';
import type { MatroskaSegment, MatroskaTrack } from '../matroska/model';
import { CODEC_PRIVATE_CHANGED_HINT } from './codecPrivate';

export interface TrackDeclarations {
  /** The track number's distinct declarations (CodecID and CodecPrivate), in the order segments make them. */
  readonly tracks: MatroskaTrack[];
  /** For each segment, the declaration its frames follow: its own, or the one before it for a segment that declares none. */
  readonly ofSegment: Int32Array;
}

export interface Declarations {
  byNumber: Map<number, TrackDeclarations>;
  /** CODEC_PRIVATE_CHANGED for each segment that declares a track otherwise than the segment before. */
  changes: Issue[];
}

function fingerprint(track: MatroskaTrack): string {
  return `${track.codecId}:${hex(track.codecPrivate?.bytes ?? new Uint8Array(0))}`;
}

export function trackDeclarations(segments: readonly MatroskaSegment[]): Declarations {
  const byNumber = new Map<number, TrackDeclarations & { fingerprints: string[]; current: number }>();
  const changes: Issue[] = [];
  segments.forEach((segment, index) => {
    for (const track of segment.tracks) {
      const print = fingerprint(track);
      let declarations = byNumber.get(track.number);
      if (!declarations) {
        declarations = { tracks: [track], fingerprints: [print], ofSegment: new Int32Array(segments.length), current: 0 };
        byNumber.set(track.number, declarations);
      }
      const before = declarations.current;
      let known = declarations.fingerprints.indexOf(print);
      if (known < 0) {
        known = declarations.tracks.push(track) - 1;
        declarations.fingerprints.push(print);
      }
      declarations.current = known;
      if (known !== before) changes.push(changeIssue(declarations.tracks[before], track, segment.offset));
    }
    for (const declarations of byNumber.values()) declarations.ofSegment[index] = declarations.current;
  });
  return { byNumber, changes };
}

/** KVS starts a new HLS discontinuity (and refuses DASH) when codec private data changes between fragments. */
function changeIssue(before: MatroskaTrack | undefined, after: MatroskaTrack, segmentOffset: number): Issue {
  const what = before && before.codecId !== after.codecId ? `its codec from ${before.codecId} to ${after.codecId}` : 'its codec private data';
  return issue(
    'warning',
    'CODEC_PRIVATE_CHANGED',
    `Track ${after.number} changes ${what} in the segment at byte ${segmentOffset}.`,
    after.codecPrivate?.offset ?? after.offset,
    CODEC_PRIVATE_CHANGED_HINT,
  );
}
