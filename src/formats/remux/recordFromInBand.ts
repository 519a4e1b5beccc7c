// An avcC/hvcC record (ISO/IEC 14496-15 §5.3.3.1.2, §8.3.3.1.2) built from the parameter sets a key frame
// carries in-band, for a track whose record holds none: avc3 and hev1 allow that (GStreamer's mp4mux
// writes avc3 records without them), but KVS reads parameter sets only from the Matroska CodecPrivate.
import { unescapeRbsp } from '../bits/rbsp';
import { inBandNals, parseAvcDecoderConfigurationRecord, parseH264Sps, parseH265Sps, parseHevcDecoderConfigurationRecord, spsType } from '../codecs';
import { bytesEqual } from '../bytesEqual';

/** The record's own bytes when it holds an SPS or the frame holds none; else a record with the frame's sets. */
export function recordWithInBandSets(codec: 'h264' | 'h265', record: Uint8Array, keyframe: Uint8Array | undefined): Uint8Array {
  const parsed = codec === 'h264' ? parseAvcDecoderConfigurationRecord(record) : parseHevcDecoderConfigurationRecord(record);
  if (!keyframe || parsed.sps.length > 0) return record;
  const size = parsed.derived.lengthSize;
  const lengthSize = size === 1 || size === 2 ? size : 4;
  const byType = new Map<number, Uint8Array[]>();
  for (const nal of inBandNals(keyframe, codec, lengthSize)) {
    const list = byType.get(nal.type) ?? [];
    if (!list.some((other) => bytesEqual(other, nal.bytes))) list.push(nal.bytes.slice());
    byType.set(nal.type, list);
  }
  const sps = byType.get(spsType(codec))?.[0];
  if (!sps) return record;
  return codec === 'h264' ? avcRecord(sps, byType, lengthSize) : hevcRecord(sps, byType, lengthSize);
}

function avcRecord(sps: Uint8Array, byType: ReadonlyMap<number, Uint8Array[]>, lengthSize: number): Uint8Array {
  const spsList = byType.get(7) ?? [];
  const ppsList = byType.get(8) ?? [];
  const profile = sps[1] ?? 0;
  // Profile, constraint flags and level are the SPS's first three payload bytes (no emulation prevention
  // can fall there: profile_idc is never 0).
  const out = [1, profile, sps[2] ?? 0, sps[3] ?? 0, 0xfc | (lengthSize - 1), 0xe0 | spsList.length];
  for (const set of spsList) out.push(set.length >> 8, set.length & 0xff, ...set);
  out.push(ppsList.length);
  for (const set of ppsList) out.push(set.length >> 8, set.length & 0xff, ...set);
  if (profile !== 66 && profile !== 77 && profile !== 88) {
    const d = parseH264Sps(sps).derived;
    out.push(0xfc | d.chroma_format_idc, 0xf8 | (d.BitDepthY - 8), 0xf8 | (d.BitDepthC - 8), 0);
  }
  return Uint8Array.from(out);
}

function hevcRecord(sps: Uint8Array, byType: ReadonlyMap<number, Uint8Array[]>, lengthSize: number): Uint8Array {
  // After the 2-byte NAL header: sps_video_parameter_set_id(4) sps_max_sub_layers_minus1(3)
  // sps_temporal_id_nesting_flag(1), then the 12 bytes of the general profile_tier_level.
  const rbsp = unescapeRbsp(sps, 2, Math.min(sps.length, 20)).bytes;
  const first = rbsp[0] ?? 0;
  const d = parseH265Sps(sps).derived;
  const out = [1, ...Array.from({ length: 12 }, (_, i) => rbsp[1 + i] ?? 0)];
  out.push(0xf0, 0, 0xfc, 0xfc | d.chroma_format_idc, 0xf8 | (d.BitDepthY - 8), 0xf8 | (d.BitDepthC - 8), 0, 0);
  out.push((((first >> 1) & 7) + 1) << 3 | (first & 1) << 2 | (lengthSize - 1));
  const types = [32, 33, 34].filter((type) => (byType.get(type)?.length ?? 0) > 0);
  out.push(types.length);
  for (const type of types) {
    const sets = byType.get(type) ?? [];
    // array_completeness 0: the frames carry these sets too.
    out.push(type, sets.length >> 8, sets.length & 0xff);
    for (const set of sets) out.push(set.length >> 8, set.length & 0xff, ...set);
  }
  return Uint8Array.from(out);
}
