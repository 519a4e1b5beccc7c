// How a producer cuts a recording that has no fragments of its own (plain MP4, MPEG-TS) into fragments:
// kvs-put's MP4 remux writes its clusters this way, and the inspector predicts the fragments of such a
// file the same way.
//
// The lead track (the first video track, else the first track) opens a fragment at each keyframe, or,
// without video, every AUDIO_ONLY_FRAGMENT_MS from the fragment's first known time. The frames of the
// other tracks go to the fragment of the last opening at or before their presentation time.

export const AUDIO_ONLY_FRAGMENT_MS = 2000;

/** Decides, lead frame by lead frame in decode order, which frames open a fragment. */
export class FragmentOpener {
  private seenLead = false;
  /** The first known presentation time of the current fragment's lead frames (NaN until one is known). */
  private startMs = NaN;

  /** `byKeyframe`: the lead track is video (fragments open at keyframes), else by time. */
  constructor(private readonly byKeyframe: boolean) {}

  /** Whether this lead frame opens a new fragment; the first lead frame never does (it is in the first one). */
  opens(ptsMs: number, keyframe: boolean): boolean {
    const opens = this.seenLead && (this.byKeyframe ? keyframe : ptsMs >= this.startMs + AUDIO_ONLY_FRAGMENT_MS);
    if (opens) this.startMs = NaN;
    this.seenLead = true;
    if (Number.isNaN(this.startMs)) this.startMs = ptsMs;
    return opens;
  }
}

/** The index of the last of the increasing `anchors[from..to]` at or before `timeMs` (`from` when none is). */
export function lastAtOrBefore(anchors: readonly number[], timeMs: number, from = 0, to = anchors.length - 1): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((anchors[mid] ?? Infinity) <= timeMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
