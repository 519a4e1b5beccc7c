// Fragment rows from the frame table: start, duration, frame count and whether a keyframe opens it.
import type { KvsFragmentMetadata } from '../matroska/kvsTags';
import { FragmentOpener, lastAtOrBefore } from '../producerFragments';
import type { FragmentReport, FrameTable, TrackReport } from './report';

export interface FragmentSpan {
  offset: number;
  end: number;
  /** The container's own fragment time (cluster timecode, tfdt), used when the fragment has no frames. */
  timeMs: number | null;
  kvs?: KvsFragmentMetadata;
}

/** Length of one frame of a track in ms from what it declares (frame rate, AAC frame length and sample rate); 0 when unknown. */
export function declaredFrameDurationMs(track: TrackReport): number {
  if (track.kind === 'video' && track.frameRate) return 1000 / track.frameRate;
  if (track.samplesPerFrame && track.sampleRate) return (track.samplesPerFrame * 1000) / track.sampleRate;
  return 0;
}

/**
 * Length of one frame of each track in ms, so a fragment's duration covers its last frame: what the track
 * declares, unless that is under half the smallest step between the times of its consecutive frames (an
 * H.264 VUI's 90 kHz "maximum rate", say); then, as for a track that declares none (no DefaultDuration, no
 * VUI timing: a 15 fps camera's H.264 often), that smallest step (B-frames make some steps negative,
 * never smaller).
 */
export function trackFrameDurations(frames: FrameTable, tracks: readonly TrackReport[]): Map<number, number> {
  const steps = new Map<number, { last: number; step: number }>();
  for (const track of tracks) steps.set(track.number, { last: NaN, step: Infinity });
  for (let i = 0; i < frames.count; i++) {
    const track = steps.get(frames.track[i] ?? 0);
    if (!track) continue;
    const pts = frames.ptsMs[i] ?? 0;
    const step = Math.abs(pts - track.last); // NaN for the first frame
    if (step > 0 && step < track.step) track.step = step;
    track.last = pts;
  }
  const durations = new Map<number, number>();
  for (const track of tracks) {
    const declared = declaredFrameDurationMs(track);
    const measured = steps.get(track.number)?.step ?? Infinity;
    // (A track of one frame has no step: what it declares stands.)
    const believable = declared > 0 && !(declared < measured / 2 && Number.isFinite(measured));
    durations.set(track.number, believable ? declared : Number.isFinite(measured) ? measured : 0);
  }
  return durations;
}

/**
 * When frame `i` ends: its own duration where the container gives one (a variable frame rate MP4's
 * sample durations, laced Opus frames in Matroska), else its track's frame duration (`trackFrameDurations`).
 */
export function frameEndMs(frames: FrameTable, i: number, trackDurationMs: number): number {
  const own = frames.durationMs[i] ?? NaN;
  return (frames.ptsMs[i] ?? 0) + (own > 0 ? own : trackDurationMs);
}

/**
 * Fragments as a KVS producer cuts a recording that has none of its own (MPEG-TS, plain MP4), by the rule
 * of `producerFragments.ts`, with the video track `gopTrack` as the lead (none: the first frame's track);
 * what comes before the first lead frame stays in the first fragment. Without frames, none. Sets
 * `frames.fragment`.
 *
 * Frames of the other tracks go with the lead frames before them in file order, unless `byTime` says
 * otherwise for their track (a plain MP4, whose chunks may hold seconds of one track, or all of it; an
 * MPEG-TS, whose audio PES packets may hold a second of frames; in both, the tracks timed by the lead's
 * clock): then they go by presentation time, as a producer (kvs-put) puts them, and a fragment's size is
 * that of its frames, wherever they lie. Time places a frame only among the fragments whose openings'
 * times increase along with its place in the file (two recordings joined end to end: each among its
 * own), and not at all when their times are unknown.
 */
export function cutAtKeyframes(frames: FrameTable, gopTrack: number | undefined, size: number, byTime?: (track: number) => boolean): FragmentSpan[] {
  if (frames.count === 0) return [];
  const lead = gopTrack ?? frames.track[0];
  const opener = new FragmentOpener(gopTrack !== undefined);
  const spans: FragmentSpan[] = [{ offset: 0, end: size, timeMs: null }];
  /** Presentation time of each span's opening frame (the first span takes all that comes before). */
  const anchors = [-Infinity];
  for (let i = 0; i < frames.count; i++) {
    const ptsMs = frames.ptsMs[i] ?? NaN;
    const previous = spans[spans.length - 1];
    if (frames.track[i] === lead && opener.opens(ptsMs, frames.keyframe[i] === 1) && previous) {
      const offset = frames.offset[i] ?? 0;
      previous.end = offset;
      spans.push({ offset, end: size, timeMs: null });
      anchors.push(ptsMs);
    }
    frames.fragment[i] = spans.length - 1;
  }
  if (byTime) {
    assignByTime(frames, (track) => track !== lead && byTime(track), anchors);
    sizeFromFrames(frames, spans);
  }
  return spans;
}

/**
 * The frames of the `timed` tracks into the last span, among those of the increasing run of anchors that
 * holds their span in file order, whose anchor is at or before their presentation time.
 */
function assignByTime(frames: FrameTable, timed: (track: number) => boolean, anchors: readonly number[]): void {
  /** Per span, the first span of its run: where anchors stop increasing (or are unknown), a new run starts. */
  const runStart = anchors.map(() => 0);
  const runEnd = anchors.map(() => anchors.length - 1);
  for (let k = 1; k < anchors.length; k++) runStart[k] = (anchors[k] ?? NaN) > (anchors[k - 1] ?? NaN) ? (runStart[k - 1] ?? 0) : k;
  for (let k = anchors.length - 2; k >= 0; k--) runEnd[k] = runStart[k + 1] === runStart[k] ? (runEnd[k + 1] ?? k) : k;
  for (let i = 0; i < frames.count; i++) {
    const pts = frames.ptsMs[i] ?? NaN;
    const span = frames.fragment[i] ?? 0;
    if (Number.isNaN(pts) || !timed(frames.track[i] ?? 0)) continue;
    const [from, to] = [runStart[span] ?? span, runEnd[span] ?? span];
    if (from < to) frames.fragment[i] = lastAtOrBefore(anchors, pts, from, to);
  }
}

/** Each span from its first frame's offset (the first span from its own), as long as its frames' bytes. */
function sizeFromFrames(frames: FrameTable, spans: FragmentSpan[]): void {
  const bytes = new Float64Array(spans.length);
  for (let i = 0; i < frames.count; i++) {
    const span = frames.fragment[i] ?? 0;
    bytes[span] = (bytes[span] ?? 0) + (frames.size[i] ?? 0);
  }
  spans.forEach((span, k) => {
    span.end = span.offset + (bytes[k] ?? 0);
  });
}

/**
 * The fragments of the spans: frames, start and duration, and whether a keyframe opens each. The video
 * and audio frames give the fragments their times (all frames when there are none): a subtitle track's
 * few frames, whose length the gaps between them would overstate, do not. `timed` narrows that further
 * (an MPEG-TS with several programs, whose clocks are unrelated, is timed by one program).
 */
export function fragmentsFromFrames(spans: readonly FragmentSpan[], frames: FrameTable, tracks: readonly TrackReport[], timed?: (track: number) => boolean): FragmentReport[] {
  const n = spans.length;
  const start = new Float64Array(n).fill(Infinity);
  const end = new Float64Array(n).fill(-Infinity);
  const count = new Uint32Array(n);
  const opening = new Int8Array(n).fill(-1); // 1 keyframe, 0 not, -1 no frame seen yet
  const byNumber = new Map(tracks.map((track) => [track.number, track]));
  const durations = trackFrameDurations(frames, tracks);
  const hasVideo = tracks.some((track) => track.kind === 'video');
  const mediaTimed = tracks.some((track) => track.kind !== 'other');

  for (let i = 0; i < frames.count; i++) {
    const f = (frames.fragment[i] ?? 0);
    if (f < 0 || f >= n) continue;
    const number = frames.track[i] ?? 0;
    const track = byNumber.get(number);
    const pts = (frames.ptsMs[i] ?? 0);
    count[f] = (count[f] ?? 0) + 1;
    if ((mediaTimed && track?.kind === 'other') || (timed && !timed(number))) continue;
    if (pts < (start[f] ?? 0)) start[f] = pts;
    const frameEnd = frameEndMs(frames, i, durations.get(number) ?? 0);
    if (frameEnd > (end[f] ?? 0)) end[f] = frameEnd;
    if (opening[f] === -1 && (!hasVideo || track?.kind === 'video')) opening[f] = (frames.keyframe[i] ?? 0);
  }

  return spans.map((span, index) => {
    // Frames whose times are unknown (NaN: a track without timescale) give the fragment no time.
    const timed = (start[index] ?? Infinity) !== Infinity;
    return {
      index,
      offset: span.offset,
      size: span.end - span.offset,
      startMs: timed ? (start[index] ?? 0) : span.timeMs,
      durationMs: timed ? (end[index] ?? 0) - (start[index] ?? 0) : null,
      frameCount: (count[index] ?? 0),
      keyframeStart: opening[index] === 1,
      ...(span.kvs ? { kvs: span.kvs } : {}),
    };
  });
}
