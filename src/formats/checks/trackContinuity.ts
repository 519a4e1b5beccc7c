// Gaps and overlaps between fragments, judged on each track's own timeline: tracks interleave, so the
// audio of a fragment may start before the video of the fragment before it ends, with neither track
// broken (an A/V MPEG-TS cut at video keyframes always does that).
import { frameEndMs, trackFrameDurations } from '../inspect/fragments';
import { fragmentLabel, type InspectionReport } from '../inspect/report';
import { issue, type Issue } from '../issues';
import type { FragmentClock } from './fragmentClock';

interface Timeline {
  kind: string;
  /** Per fragment: the earliest presentation time of the track's frames, and where its last frame ends. */
  start: Float64Array;
  end: Float64Array;
}

export interface ContinuityOptions {
  /** Whether the fragment is already reported for lacking a frame of the track. */
  missing?: (track: number, fragment: number) => boolean;
  /** The clock fragments are ordered by (default: the container's timeline). */
  clock?: FragmentClock;
}

/**
 * A fragment whose video or audio starts more than `maxGapMs` after (gap) or before (overlap) the same
 * track's frames of the fragment before it end: one issue per fragment, for the track furthest from
 * seamless. A fragment without the track is passed over, the gap measured from the track's last frames
 * before it, unless `missing` says that fragment is already reported for lacking it: the track is then
 * measured afresh after it. Fragments in `skip` (already reported as going backwards) are not judged.
 */
export function trackContinuityIssues(report: InspectionReport, maxGapMs: number, skip: ReadonlySet<number>, options: ContinuityOptions = {}): Issue[] {
  const missing = options.missing ?? (() => false);
  const producerClock = options.clock?.kind === 'producer';
  const timelines = trackTimelines(report, options.clock?.shiftMs);
  const worst = new Map<number, { track: number; kind: string; gap: number; since: number }>();
  for (const [track, { kind, start, end }] of timelines) {
    let previousEnd = NaN; // NaN before the track's first fragment: no gap
    let since = -1; // the fragment previousEnd is from
    for (let f = 0; f < start.length; f++) {
      const first = start[f] ?? Infinity;
      if (first === Infinity) {
        if (missing(track, f)) previousEnd = NaN;
        continue; // the track has no frame in this fragment
      }
      const gap = first - previousEnd;
      if (Math.abs(gap) > maxGapMs && !skip.has(f) && Math.abs(gap) > Math.abs(worst.get(f)?.gap ?? 0)) worst.set(f, { track, kind, gap, since });
      previousEnd = end[f] ?? previousEnd;
      since = f;
    }
  }
  const out: Issue[] = [];
  for (const [index, { track, kind, gap, since }] of worst) {
    const fragment = report.fragments[index];
    if (!fragment) continue;
    const where = fragmentLabel(fragment);
    const what = `track ${track} (${kind})`;
    const earlier = report.fragments[since];
    const framesEnd = since === index - 1 || !earlier ? 'its frames in the previous fragment end' : `its frames end in ${fragmentLabel(earlier)}, the last fragment with them`;
    const by = producerClock ? ' (by producer timestamps)' : '';
    out.push(gap > 0
      ? issue('warning', 'FRAGMENT_GAP', `${where}: ${what} starts ${gap.toFixed(0)} ms after ${framesEnd}${by}.`, fragment.offset, 'Players show a discontinuity or stall; check for dropped frames or a producer clock jump.')
      : issue('warning', 'FRAGMENT_OVERLAP', `${where}: ${what} starts ${(-gap).toFixed(0)} ms before ${framesEnd}${by}.`, fragment.offset, 'Overlapping fragments are dropped or played twice; check the producer timestamps.'));
  }
  return out;
}

/** The video and audio tracks' times per fragment, each fragment's moved by `shiftMs` (none by default). */
function trackTimelines(report: InspectionReport, shiftMs?: Float64Array): Map<number, Timeline> {
  const { frames, tracks } = report;
  const n = report.fragments.length;
  const durations = trackFrameDurations(frames, tracks);
  const timelines = new Map<number, Timeline>();
  for (const track of tracks) {
    if (track.kind !== 'other') timelines.set(track.number, { kind: track.kind, start: new Float64Array(n).fill(Infinity), end: new Float64Array(n).fill(-Infinity) });
  }
  for (let i = 0; i < frames.count; i++) {
    const track = frames.track[i] ?? 0;
    const timeline = timelines.get(track);
    const f = frames.fragment[i] ?? -1;
    if (!timeline || f < 0 || f >= n) continue;
    const pts = (frames.ptsMs[i] ?? 0) + (shiftMs?.[f] ?? 0);
    if (pts < (timeline.start[f] ?? Infinity)) timeline.start[f] = pts;
    const end = frameEndMs(frames, i, durations.get(track) ?? 0) + (shiftMs?.[f] ?? 0);
    if (end > (timeline.end[f] ?? -Infinity)) timeline.end[f] = end;
  }
  return timelines;
}
