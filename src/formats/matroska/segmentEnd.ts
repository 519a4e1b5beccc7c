// Work done when a Segment ends: everything here needs the whole segment (TimestampScale may come
// after the clusters; Tracks may come after blocks).
import type { Issue } from '../issues';
import { issue } from '../issues';
import type { BlockTableBuilder } from './blockTable';
import type { MatroskaCluster, MatroskaSegment } from './model';

/** Fills cluster and block times (ticks and ms) for the segment's clusters and blocks from `firstBlock` on. */
export function applyTimestampScale(segment: MatroskaSegment, clusters: readonly MatroskaCluster[], blocks: BlockTableBuilder, firstBlock: number): void {
  const msPerTick = segment.info.timestampScale / 1e6;
  if (segment.info.duration !== undefined) segment.info.durationMs = segment.info.duration * msPerTick;
  for (let c = segment.firstCluster; c < segment.firstCluster + segment.clusterCount; c++) {
    const cluster = clusters[c];
    if (cluster) cluster.timeMs = cluster.timecode === null ? null : cluster.timecode * msPerTick;
  }
  const times = blocks.times();
  for (let i = firstBlock; i < blocks.count; i++) {
    const cluster = clusters[blocks.cluster[i] ?? 0];
    const timecode = (cluster?.timecode ?? 0) + (blocks.relativeTimecode[i] ?? 0);
    times.timecode[i] = timecode;
    times.timeMs[i] = timecode * msPerTick;
  }
}

/** One issue per track number that blocks use but the segment's Tracks do not declare. */
export function undeclaredTrackIssues(segment: MatroskaSegment, blocks: BlockTableBuilder, firstBlock: number): Issue[] {
  const declared = new Set(segment.tracks.map((track) => track.number));
  const undeclared = new Map<number, { offset: number; count: number }>();
  for (let i = firstBlock; i < blocks.count; i++) {
    const track = blocks.track[i] ?? 0;
    if (declared.has(track)) continue;
    const seen = undeclared.get(track);
    if (seen) seen.count++;
    else undeclared.set(track, { offset: blocks.offset[i] ?? 0, count: 1 });
  }
  return [...undeclared].map(([track, { offset, count }]) =>
    issue(
      'error',
      'MKV_UNDECLARED_TRACK',
      `${count} block${count === 1 ? '' : 's'} of the Segment at offset ${segment.offset} refer to track ${track}, which its Tracks do not declare (first at offset ${offset}).`,
      offset,
    ),
  );
}
