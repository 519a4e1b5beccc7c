// An avcC/hvcC record (ISO/IEC 14496-15 §5.3.3.1.2, §8.3.3.1.2) built from the parameter sets a key frame
// carries in-band, for a track whose record holds none: avc3 and hev1 allow that (GStreamer's mp4mux
// writes avc3 records without them), but KVS reads parameter sets only from the Matroska CodecPrivate.
import { unescapeRbsp } from '../bits/rbsp';
import { analyzeFrameNals, parseH264Sps, parseH265Sps } from '../codecs';
import { bytesEqual } from '../bytesEqual';

/** The record's own bytes when it holds an SPS or the frame holds none; else a record with the frame's sets. */
export function recordWithInBandSets(codec: 'h264' | 'h265', record: Uint8Array, keyframe: Uint8Array | undefined): Uint8Array {
  const lengthSize = ((codec === 'h264' ? (record[4] ?? 3) : (record[21] ?? 3)) & 3) + 1 as 1 | 2 | 3 | 4;
  if (!keyframe || recordHoldsSps(codec, record)) return record;
  const byType = new Map<number, Uint8Array[]>();
  for (const unit of analyzeFrameNals(keyframe, { codec, expected: lengthSize }).inBandParameterSets) {
    const bytes = keyframe.slice(unit.offset, unit.offset + unit.length);
    const list = byType.get(unit.nal_unit_type) ?? [];
    if (!list.some((other) => bytesEqual(other, bytes))) list.push(bytes);
    byType.set(unit.nal_unit_type, list);
  }
  const sps = byType.get(codec === 'h264' ? 7 : 33)?.[0];
  if (!sps) return record;
  return codec === 'h264' ? avcRecord(sps, byType, lengthSize) : hevcRecord(sps, byType, lengthSize);
}

function recordHoldsSps(codec: 'h264' | 'h265', record: Uint8Array): boolean {
  if (codec === 'h264') return ((record[5] ?? 0) & 0x1f) > 0;
  // hvcC: numOfArrays at byte 22, then per array its type, a count and each NAL unit with its length.
  let p = 23;
  for (let n = record[22] ?? 0; n > 0 && p + 3 <= record.length; n--) {
    const type = (record[p] ?? 0) & 0x3f;
    const count = ((record[p + 1] ?? 0) << 8) | (record[p + 2] ?? 0);
    if (type === 33 && count > 0) return true;
    p += 3;
    for (let i = 0; i < count && p + 2 <= record.length; i++) p += 2 + (((record[p] ?? 0) << 8) | (record[p + 1] ?? 0));
  }
  return false;
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
