// H.265 open GOPs at fragment starts: a CRA (or BLA) picture whose leading pictures include RASL
// pictures, which refer to pictures before the CRA and cannot be decoded when decoding starts there.
import type { ByteSource } from '../byteSource';
import { H265_NAL, isH265Vcl, type FrameNalAnalysis } from '../codecs';
import type { ContainerInspection, VideoTrackContext } from '../inspect/container';
import { fragmentLabel, type FragmentReport } from '../inspect/report';
import { analyzeVideoFrame } from '../inspect/videoFrames';
import { issue, type Issue } from '../issues';

const { RADL_N, RADL_R, RASL_N, RASL_R, BLA_W_LP, CRA } = H265_NAL;

/** The nal_unit_type of the frame's first picture (VCL) NAL unit. */
function pictureType(analysis: FrameNalAnalysis | undefined): number | undefined {
  return analysis?.nalUnits.find((unit) => isH265Vcl(unit.nal_unit_type))?.nal_unit_type;
}

/**
 * The open-GOP issue for an H.265 fragment opened by frame `index` (analysed as `opening`), if that frame
 * is a CRA or BLA picture followed by RASL pictures. Leading pictures come before every trailing picture
 * in decode order (H.265 §7.4.3.2), so the frames read are those up to the first that is not leading.
 */
export function openGopIssue(inspection: ContainerInspection, source: ByteSource, track: VideoTrackContext, index: number, opening: FrameNalAnalysis, fragment: FragmentReport): Issue | undefined {
  const type = pictureType(opening);
  if (track.codec !== 'h265' || (type !== CRA && type !== BLA_W_LP)) return undefined;
  const { frames } = inspection.report;
  let rasl = 0;
  for (let i = index + 1; i < frames.count && frames.fragment[i] === frames.fragment[index]; i++) {
    if (frames.track[i] !== track.number) continue;
    const leading = pictureType(analyzeVideoFrame(inspection, source, track, i));
    if (leading === RASL_N || leading === RASL_R) rasl++;
    else if (leading !== RADL_N && leading !== RADL_R) break;
  }
  if (rasl === 0) return undefined;
  return issue(
    'warning',
    'FRAGMENT_START_OPEN_GOP',
    `${fragmentLabel(fragment)} starts with a ${type === CRA ? 'CRA' : 'BLA'} picture followed by ${rasl} RASL picture${rasl === 1 ? '' : 's'}, which refer to pictures of the fragment before: an open GOP.`,
    frames.offset[index] ?? 0,
    'A player, GetClip or GetImages that starts decoding at this fragment cannot decode its RASL pictures and drops them: frames missing at every start and seek. Start every fragment at an IDR (x265: --no-open-gop, in ffmpeg -x265-params open-gop=0).',
  );
}
