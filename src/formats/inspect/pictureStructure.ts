// Whether an H.264 track whose SPS allows fields is interlaced: its frames say so. The SPS's
// frame_mbs_only_flag 0 only allows field coding; x264's fake-interlaced writes it over progressive frames.
import type { FrameNalAnalysis } from '../codecs';
import { issue } from '../issues';
import type { VideoTrackContext } from './container';
import type { InspectionReport, TrackReport } from './report';

interface Tally {
  frame: number;
  field: number;
  mbaff: number;
}

/** Counts how the analysed frames of each track are coded, then corrects `interlaced` by them (apply). */
export class PictureStructures {
  private readonly byTrack = new Map<number, Tally>();

  readonly add = (track: VideoTrackContext, _index: number, analysis: FrameNalAnalysis): void => {
    const structure = analysis.pictureStructure;
    if (!structure) return;
    let tally = this.byTrack.get(track.number);
    if (!tally) this.byTrack.set(track.number, (tally = { frame: 0, field: 0, mbaff: 0 }));
    tally[structure]++;
  };

  /**
   * An H.264 track shown as interlaced by its SPS whose analysed frames are all progressive frames (no
   * field, no MBAFF frame) is not interlaced: players show it progressive, as ffprobe's field_order does.
   */
  apply(report: InspectionReport): void {
    for (const track of report.tracks) {
      const tally = this.byTrack.get(track.number);
      if (track.family !== 'h264' || !track.interlaced || !tally || tally.field > 0 || tally.mbaff > 0) continue;
      track.interlaced = false;
      report.issues.push(
        issue(
          'info',
          'FIELD_CODING_UNUSED',
          `Track ${track.number}'s SPS allows field coding (frame_mbs_only_flag 0, mb_adaptive_frame_field_flag 0), but ${tally.frame === 1 ? 'the one frame read is' : `all ${tally.frame} frames read are`} coded as progressive frames (field_pic_flag 0), as x264's fake-interlaced writes them: the video is progressive.`,
          frameMbsOnlyOffset(track),
        ),
      );
    }
  }
}

/** Where the first SPS's frame_mbs_only_flag is, else the codec private data or the track. */
function frameMbsOnlyOffset(track: TrackReport): number {
  const cpd = track.codecPrivate;
  return cpd?.locations.find((location) => location.path === 'sps[0].frame_mbs_only_flag')?.byteOffset ?? cpd?.offset ?? track.offset ?? 0;
}
