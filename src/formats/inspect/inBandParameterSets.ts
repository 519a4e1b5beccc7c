// The parameter sets a frame carries in-band (codecs' inBandNals), parsed: what MPEG-TS video has
// instead of codec private data, and what an avcC/hvcC record may leave to the frames.
import {
  avcCodecStringFromSps,
  hevcCodecStringFromSps,
  parseH264Pps,
  parseH264Sps,
  parseH265Pps,
  parseH265Sps,
  parseH265Vps,
  type H264SpsDerived,
  type H265SpsDerived,
  type NalBytes,
} from '../codecs';
import type { ParameterSetsByName, VideoSampleEntry } from './codecPrivate';

export interface ParsedInBandSets {
  spsDerived: H264SpsDerived | H265SpsDerived | undefined;
  /** The RFC 6381 string of the first SPS, under the given sample entry. */
  codec: string | undefined;
  sets: ParameterSetsByName;
}

/** The sets parsed at their offsets in the frame; the codec string under `entry` (MPEG-TS names none: avc1, hev1). */
export function parseInBandSets(codec: 'h264' | 'h265', nals: readonly NalBytes[], entry?: VideoSampleEntry): ParsedInBandSets {
  if (codec === 'h264') {
    const sps = nals.filter((nal) => nal.type === 7).map((nal) => parseH264Sps(nal.bytes, nal.offset));
    const pps = nals.filter((nal) => nal.type === 8).map((nal) => parseH264Pps(nal.bytes, nal.offset, sps));
    const first = sps[0];
    return { spsDerived: first?.derived, codec: first ? avcCodecStringFromSps(first, entry === 'avc3' ? 'avc3' : 'avc1') : undefined, sets: { sps, pps } };
  }
  const vps = nals.filter((nal) => nal.type === 32).map((nal) => parseH265Vps(nal.bytes, nal.offset));
  const sps = nals.filter((nal) => nal.type === 33).map((nal) => parseH265Sps(nal.bytes, nal.offset));
  const pps = nals.filter((nal) => nal.type === 34).map((nal) => parseH265Pps(nal.bytes, nal.offset));
  const first = sps[0];
  return { spsDerived: first?.derived, codec: first ? hevcCodecStringFromSps(first, entry === 'hvc1' ? 'hvc1' : 'hev1') : undefined, sets: { vps, sps, pps } };
}
