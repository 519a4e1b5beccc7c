import type { AvcDecoderConfigurationRecord } from '../h264/avcc';
import { parseH264Pps } from '../h264/pps';
import { parseH264Sps } from '../h264/sps';
import type { HevcDecoderConfigurationRecord } from '../h265/hvcc';
import { parseH265Pps } from '../h265/pps';
import { parseH265Sps } from '../h265/sps';

/** What slice-header decoding of H.265 needs from a PPS (and its SPS). */
export interface HevcSliceContext {
  dependent_slice_segments_enabled_flag: number;
  num_extra_slice_header_bits: number;
  /** Bits of slice_segment_address: Ceil(Log2(PicSizeInCtbsY)) of the SPS, when known. */
  sliceAddressBits?: number;
}

/** What reading an H.264 slice header up to field_pic_flag needs from a PPS's SPS (7.3.3). */
export interface AvcSliceContext {
  separate_colour_plane_flag: number;
  /** Bits of frame_num: log2_max_frame_num_minus4 + 4. */
  frameNumBits: number;
  frame_mbs_only_flag: number;
  mb_adaptive_frame_field_flag: number;
}

/**
 * The codec private data's parameter sets, prepared once per track so that every frame can be compared
 * with them cheaply: NAL units by type, and the H.265 slice-header context by PPS id.
 */
export interface ParameterSetReference {
  codec: 'h264' | 'h265';
  byType: Map<number, Uint8Array[]>;
  hevcPps: Map<number, HevcSliceContext>;
  /** H.264: the slice-header context by PPS id. */
  avcPps: Map<number, AvcSliceContext>;
}

export function buildParameterSetReference(codec: 'h264' | 'h265', nals: readonly Uint8Array[]): ParameterSetReference {
  const ref: ParameterSetReference = { codec, byType: new Map(), hevcPps: new Map(), avcPps: new Map() };
  const spsCtbBits = new Map<number, number>();
  const avcSps = new Map<number, AvcSliceContext>();
  const pps: Uint8Array[] = [];
  for (const nal of nals) {
    if (nal.length === 0) continue;
    const type = codec === 'h264' ? (nal[0] ?? 0) & 0x1f : ((nal[0] ?? 0) >> 1) & 0x3f;
    const list = ref.byType.get(type) ?? [];
    list.push(nal);
    ref.byType.set(type, list);
    if (codec === 'h265' && type === 33) {
      const sps = parseH265Sps(nal).derived;
      if (sps.sps_seq_parameter_set_id !== undefined && sps.PicSizeInCtbsY !== undefined) {
        spsCtbBits.set(sps.sps_seq_parameter_set_id, Math.ceil(Math.log2(sps.PicSizeInCtbsY)));
      }
    } else if (codec === 'h265' && type === 34) {
      pps.push(nal);
    } else if (codec === 'h264' && type === 7) {
      const f = parseH264Sps(nal).fields;
      if (typeof f.seq_parameter_set_id === 'number' && typeof f.log2_max_frame_num_minus4 === 'number' && typeof f.frame_mbs_only_flag === 'number') {
        avcSps.set(f.seq_parameter_set_id, {
          separate_colour_plane_flag: f.separate_colour_plane_flag === 1 ? 1 : 0,
          frameNumBits: f.log2_max_frame_num_minus4 + 4,
          frame_mbs_only_flag: f.frame_mbs_only_flag,
          mb_adaptive_frame_field_flag: f.mb_adaptive_frame_field_flag === 1 ? 1 : 0,
        });
      }
    } else if (codec === 'h264' && type === 8) {
      pps.push(nal);
    }
  }
  if (codec === 'h264') {
    for (const nal of pps) {
      const { pic_parameter_set_id: ppsId, seq_parameter_set_id: spsId } = parseH264Pps(nal).derived;
      const ctx = spsId === undefined ? undefined : avcSps.get(spsId);
      if (ppsId !== undefined && ctx) ref.avcPps.set(ppsId, ctx);
    }
    return ref;
  }
  for (const nal of pps) {
    const p = parseH265Pps(nal);
    const f = p.fields;
    if (typeof f.pps_pic_parameter_set_id !== 'number' || typeof f.num_extra_slice_header_bits !== 'number') continue;
    const ctx: HevcSliceContext = {
      dependent_slice_segments_enabled_flag: f.dependent_slice_segments_enabled_flag === 1 ? 1 : 0,
      num_extra_slice_header_bits: f.num_extra_slice_header_bits,
    };
    const bits = typeof f.pps_seq_parameter_set_id === 'number' ? spsCtbBits.get(f.pps_seq_parameter_set_id) : undefined;
    if (bits !== undefined) ctx.sliceAddressBits = bits;
    ref.hevcPps.set(f.pps_pic_parameter_set_id, ctx);
  }
  return ref;
}

/** The parameter-set NAL units of an avcC / hvcC, as views into `cpd` (the bytes that were parsed). */
export function recordParameterSets(cpd: Uint8Array, record: AvcDecoderConfigurationRecord | HevcDecoderConfigurationRecord): Uint8Array[] {
  const units: { offset: number; length: number }[] = 'vps' in record ? [...record.vps, ...record.sps, ...record.pps] : [...record.sps, ...record.pps];
  return units.map((u) => cpd.subarray(u.offset - record.offset, u.offset - record.offset + u.length));
}

/** True when `nal` is byte-identical to a reference NAL unit of the same type. */
export function matchesReference(ref: ParameterSetReference, type: number, frame: Uint8Array, start: number, length: number): boolean {
  const list = ref.byType.get(type);
  if (!list) return false;
  outer: for (const cand of list) {
    if (cand.length !== length) continue;
    for (let i = 0; i < length; i++) if (cand[i] !== frame[start + i]) continue outer;
    return true;
  }
  return false;
}
