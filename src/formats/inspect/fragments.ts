// Fragment rows from the frame table: start, duration, frame count and whether a keyframe opens it.
import type { KvsFragmentMetadata } from '../matroska/kvsTags';
import type { FragmentReport, FrameTable, TrackReport } from './report';

export interface FragmentSpan {
  offset: number;
  end: number;
  /** The container's own fragment time (cluster timecode, tfdt), used when the fragment has no frames. */
  timeMs: number | null;
  kvs?: KvsFragmentMetadata;
}

/** Length of one frame of a track in ms, so a fragment's duration covers its last frame. */
export function frameDurationMs(track: TrackReport | undefined): number {
  if (!track) return 0;
  if (track.kind === 'video' && track.frameRate) return 1000 / track.frameRate;
  if (track.family === 'aac' && track.sampleRate) return (1024 * 1000) / track.sampleRate;
  return 0;
}

export function fragmentsFromFrames(spans: readonly FragmentSpan[], frames: FrameTable, tracks: readonly TrackReport[]): FragmentReport[] {
  const n = spans.length;
  const start = new Float64Array(n).fill(Infinity);
  const end = new Float64Array(n).fill(-Infinity);
  const count = new Uint32Array(n);
  const opening = new Int8Array(n).fill(-1); // 1 keyframe, 0 not, -1 no frame seen yet
  const byNumber = new Map(tracks.map((track) => [track.number, track]));
  const hasVideo = tracks.some((track) => track.kind === 'video');

  for (let i = 0; i < frames.count; i++) {
    const f = (frames.fragment[i] ?? 0);
    if (f < 0 || f >= n) continue;
    const track = byNumber.get((frames.track[i] ?? 0));
    const pts = (frames.ptsMs[i] ?? 0);
    count[f] = (count[f] ?? 0) + 1;
    if (pts < (start[f] ?? 0)) start[f] = pts;
    const frameEnd = pts + frameDurationMs(track);
    if (frameEnd > (end[f] ?? 0)) end[f] = frameEnd;
    if (opening[f] === -1 && (!hasVideo || track?.kind === 'video')) opening[f] = (frames.keyframe[i] ?? 0);
  }

  return spans.map((span, index) => {
    const hasFrames = (count[index] ?? 0) > 0;
    const startMs = hasFrames ? (start[index] ?? 0) : span.timeMs;
    return {
      index,
      offset: span.offset,
      size: span.end - span.offset,
      startMs,
      durationMs: hasFrames ? (end[index] ?? 0) - (start[index] ?? 0) : null,
      frameCount: (count[index] ?? 0),
      keyframeStart: opening[index] === 1,
      ...(span.kvs ? { kvs: span.kvs } : {}),
    };
  });
}
