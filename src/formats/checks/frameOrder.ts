// The presentation order of a track's frames within each fragment (from a keyframe on), in decode (file)
// order: frames reordered as B-frames are, and timecodes that go back further than any reordering can.
import { FRAME_LACING_SHIFT, FrameFlag, type FrameTable } from '../inspect/report';

/**
 * How many frames that come earlier in decode order a frame may be presented before: H.264 and H.265
 * hold at most 16 pictures for reordering (max_num_reorder_frames, sps_max_num_reorder_pics ≤ 16).
 * Audio is never reordered.
 */
export const MAX_REORDER_FRAMES = 16;

export interface FrameOrder {
  /** Row of the first frame presented before a frame decoded earlier (within the reordering limit). */
  firstReordered: number | null;
  /**
   * Frames presented before more than `reorderLimit` frames decoded earlier in their fragment: their row,
   * and the latest presentation time before them.
   */
  backwards: { row: number; latestMs: number }[];
  /**
   * Rows of frames presented at the same time as one of the `reorderLimit + 1` latest frames decoded
   * before them in their fragment (a fragment may go back in time, judged elsewhere). Frames of a laced
   * block and invisible ones are left out: the container's rules share or estimate their times.
   */
  repeated: number[];
}

/**
 * A frame presented before more than `reorderLimit` of the frames decoded before it in its fragment went
 * back in time: no decoder reorders that far. The search starts again from such a frame, so a stream
 * whose clock jumps back once has one backwards frame, not one per frame after the jump.
 */
export function frameOrder(frames: FrameTable, track: number, reorderLimit: number): FrameOrder {
  const order: FrameOrder = { firstReordered: null, backwards: [], repeated: [] };
  /** The `reorderLimit + 1` latest presentation times so far in the fragment, latest first. */
  const latest: number[] = [];
  /** The same of frames timed on their own (not laced, not invisible). */
  const latestTimed: number[] = [];
  let fragment: number | undefined;
  for (let i = 0; i < frames.count; i++) {
    if (frames.track[i] !== track) continue;
    const pts = frames.ptsMs[i] ?? 0;
    if (Number.isNaN(pts)) continue; // time unknown (no timescale): nothing to compare
    // Each fragment starts afresh, but for a track that may reorder (video) one that opens without a
    // keyframe (a moof per frame, CMAF chunks) goes on with the frames before it, or its B-frames would
    // never be seen reordered.
    if (frames.fragment[i] !== fragment) {
      fragment = frames.fragment[i];
      if (reorderLimit === 0 || frames.keyframe[i] === 1) latest.length = latestTimed.length = 0;
    }
    if (latest.length > reorderLimit && pts < (latest[reorderLimit] ?? 0)) {
      order.backwards.push({ row: i, latestMs: latest[0] ?? 0 });
      latest.length = 0;
    } else if (latest.length > 0 && pts < (latest[0] ?? 0)) {
      order.firstReordered ??= i;
    }
    insertLatest(latest, pts, reorderLimit + 1);
    if (((frames.flags[i] ?? 0) & UNTIMED_FLAGS) === 0) {
      if (latestTimed.includes(pts)) order.repeated.push(i);
      insertLatest(latestTimed, pts, reorderLimit + 1);
    }
  }
  return order;
}

/** Frames whose time the container shares or estimates: laced ones (any lacing bits) and invisible ones. */
const UNTIMED_FLAGS = FrameFlag.Invisible | (3 << FRAME_LACING_SHIFT);

/** Keeps the `keep` largest values of `latest` (sorted, largest first) with `value` among them. */
function insertLatest(latest: number[], value: number, keep: number): void {
  let at = latest.length;
  while (at > 0 && (latest[at - 1] ?? 0) < value) at--;
  if (at >= keep) return;
  latest.splice(at, 0, value);
  if (latest.length > keep) latest.length = keep;
}
