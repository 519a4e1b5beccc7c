// Whether the bytes a PES packet opens with begin a video access unit: a muxer splits an access unit
// too big for one PES (over 64 KiB) over several, and only the first has a PTS.
import { H264_NAL } from '../h264/nalTypes';
import { H265_NAL, isH265Vcl } from '../h265/nalTypes';

/** Where the NAL unit that Annex-B bytes open with starts (past zero bytes and 00 00 01); -1 without a start code. */
function leadingNalStart(bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length && bytes[at] === 0) at++;
  return at >= 2 && bytes[at] === 1 ? at + 1 : -1;
}

/** The nal_unit_type of the NAL unit Annex-B bytes open with; undefined when they do not open with a start code. */
export function leadingNalType(bytes: Uint8Array, codec: 'h264' | 'h265'): number | undefined {
  const at = leadingNalStart(bytes);
  if (at < 0 || at >= bytes.length) return undefined;
  const header = bytes[at] ?? 0;
  return codec === 'h264' ? header & 0x1f : (header >> 1) & 0x3f;
}

/**
 * Whether Annex-B bytes begin an access unit. `delimited`: the stream opens its access units with an access
 * unit delimiter, as ISO/IEC 13818-1 has AVC and HEVC streams in MPEG-TS do; then only an AUD begins one.
 * Otherwise a NAL unit that only ever opens an access unit does (H.264 7.4.1.2.3, H.265 7.4.2.4.4): a
 * parameter set, a prefix SEI, or the first slice of a picture (first_mb_in_slice 0,
 * first_slice_segment_in_pic_flag 1), which misjudges a split just before that slice, after the SEI.
 */
export function beginsAccessUnit(bytes: Uint8Array, codec: 'h264' | 'h265', delimited: boolean): boolean {
  const at = leadingNalStart(bytes);
  const type = leadingNalType(bytes, codec);
  if (type === undefined) return false;
  if (type === (codec === 'h264' ? H264_NAL.AUD : H265_NAL.AUD)) return true;
  if (delimited) return false;
  if (codec === 'h264') {
    if (type === H264_NAL.NON_IDR || type === H264_NAL.PARTITION_A || type === H264_NAL.IDR) {
      return ((bytes[at + 1] ?? 0) & 0x80) !== 0; // ue(v) first_mb_in_slice is 0 when its first bit is 1
    }
    return type === H264_NAL.SEI || type === H264_NAL.SPS || type === H264_NAL.PPS || (type >= 14 && type <= 18);
  }
  if (isH265Vcl(type)) return ((bytes[at + 2] ?? 0) & 0x80) !== 0; // first_slice_segment_in_pic_flag
  return type === H265_NAL.VPS || type === H265_NAL.SPS || type === H265_NAL.PPS || type === H265_NAL.PREFIX_SEI || (type >= 41 && type <= 44) || (type >= 48 && type <= 55);
}
