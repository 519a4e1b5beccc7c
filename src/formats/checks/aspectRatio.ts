// A picture's shape, declared twice: by the container (pasp, Matroska display size) and by the SPS's VUI.
import type { TrackReport } from '../inspect/report';
import { issue, type Issue } from '../issues';

/** Ratios closer than this are one: Matroska's display size is whole pixels, so 16:9 of 120 lines is 213:120. */
const TOLERANCE = 0.01;

/** Whether two pixel aspect ratios are one (within the tolerance). */
export function sameAspect([aw, ah]: readonly [number, number], [bw, bh]: readonly [number, number]): boolean {
  return Math.abs((aw * bh) / (ah * bw) - 1) <= TOLERANCE;
}

/** A warning for each video track whose container and VUI give different pixel aspect ratios. */
export function aspectRatioIssues(tracks: readonly TrackReport[]): Issue[] {
  return tracks.flatMap((track) => {
    const container = track.containerAspectRatio;
    const sar = track.sampleAspectRatio;
    if (track.kind !== 'video' || !container || !sar || sameAspect(container, sar)) return [];
    return [
      issue(
        'warning',
        'ASPECT_RATIO_MISMATCH',
        `Track ${track.number}'s container gives its pixels an aspect ratio of ${container.join(':')}, its SPS (VUI) ${sar.join(':')}: players that follow one show a picture of another shape than players that follow the other.`,
        track.codecPrivate?.offset ?? track.offset ?? 0,
        'Write the same pixel aspect ratio in both (ffmpeg: -vf setsar=W/H sets both when encoding; -bsf:v h264_metadata=sample_aspect_ratio=W/H or hevc_metadata rewrites the VUI).',
      ),
    ];
  });
}
