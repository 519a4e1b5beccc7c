// Work done when a Segment ends: everything here needs the whole segment (TimestampScale may come
// after the clusters; Tracks may come after blocks). The per-block parts are done while the rows are
// added (see readMatroska): times with the scale known then, track numbers tallied; here they are only
// checked, and redone in the rare case the segment said otherwise later.
import type { Issue } from '../issues';
import { issue } from '../issues';
import type { BlockTableBuilder } from './blockTable';
import type { MatroskaCluster, MatroskaSegment } from './model';

/**
 * Fills cluster times (ms) and the duration in ms; block times from `firstBlock` on too when
 * `blockTimesStale` (they were written with another TimestampScale or cluster Timestamp than the final one).
 */
export function applyTimestampScale(
  segment: MatroskaSegment,
  clusters: readonly MatroskaCluster[],
  blocks: BlockTableBuilder,
  firstBlock: number,
  blockTimesStale: boolean,
): void {
  const msPerTick = segment.info.timestampScale / 1e6;
  if (segment.info.duration !== undefined) segment.info.durationMs = segment.info.duration * msPerTick;
  for (let c = segment.firstCluster; c < segment.firstCluster + segment.clusterCount; c++) {
    const cluster = clusters[c];
    if (cluster) cluster.timeMs = cluster.timecode === null ? null : cluster.timecode * msPerTick;
  }
  if (!blockTimesStale) return;
  for (let i = firstBlock; i < blocks.count; i++) {
    const cluster = clusters[blocks.cluster[i] ?? 0];
    const timecode = (cluster?.timecode ?? 0) + (blocks.relativeTimecode[i] ?? 0);
    blocks.timecode[i] = timecode;
    blocks.timeMs[i] = timecode * msPerTick;
  }
}

/** Track numbers below this are tallied in arrays, the others in a map. */
export const TALLY_ARRAY_SIZE = 128;

/**
 * How many blocks of a segment use each track number, and the offset of the first: what
 * {@link TrackTally.issues} needs once the segment's Tracks are known. Hot loops may count a track
 * number below {@link TALLY_ARRAY_SIZE} themselves: `if (counts[track]++ === 0) firsts[track] = offset`.
 */
export class TrackTally {
  readonly counts = new Uint32Array(TALLY_ARRAY_SIZE);
  readonly firsts = new Float64Array(TALLY_ARRAY_SIZE);
  private readonly large = new Map<number, { offset: number; count: number }>();

  add(blockTrack: number, offset: number): void {
    const track = Math.min(blockTrack, 0xffffffff); // as the block table keeps it
    if (track < TALLY_ARRAY_SIZE) {
      const count = this.counts[track] ?? 0;
      this.counts[track] = count + 1;
      if (count === 0) this.firsts[track] = offset;
      return;
    }
    const seen = this.large.get(track);
    if (seen) seen.count++;
    else this.large.set(track, { offset, count: 1 });
  }

  /** One issue per track number that blocks use but the segment's Tracks do not declare; then starts over. */
  issues(segment: MatroskaSegment): Issue[] {
    const declared = new Set(segment.tracks.map((track) => track.number));
    const undeclared: { track: number; offset: number; count: number }[] = [];
    for (let track = 0; track < TALLY_ARRAY_SIZE; track++) {
      const count = this.counts[track] ?? 0;
      if (count > 0 && !declared.has(track)) undeclared.push({ track, offset: this.firsts[track] ?? 0, count });
    }
    for (const [track, { offset, count }] of this.large) if (!declared.has(track)) undeclared.push({ track, offset, count });
    this.counts.fill(0);
    this.large.clear();
    // In the order the tracks first appear.
    undeclared.sort((a, b) => a.offset - b.offset);
    return undeclared.map(({ track, offset, count }) =>
      issue(
        'error',
        'MKV_UNDECLARED_TRACK',
        `${count === 1 ? '1 block' : `${count} blocks`} of the Segment at offset ${segment.offset} ${count === 1 ? 'refers' : 'refer'} to track ${track}, which its Tracks do not declare (first at offset ${offset}).`,
        offset,
      ),
    );
  }
}
