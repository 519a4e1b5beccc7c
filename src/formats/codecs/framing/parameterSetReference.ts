import type { AvcDecoderConfigurationRecord } from '../h264/avcc';
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

/**
 * The codec private data's parameter sets, prepared once per track so that every frame can be compared
 * with them cheaply: NAL units by type, and the H.265 slice-header context by PPS id.
 */
export interface ParameterSetReference {
  codec: 'h264' | 'h265';
  byType: Map<number, Uint8Array[]>;
  hevcPps: Map<number, HevcSliceContext>;
}

export function buildParameterSetReference(codec: 'h264' | 'h265', nals: readonly Uint8Array[]): ParameterSetReference {
  const ref: ParameterSetReference = { codec, byType: new Map(), hevcPps: new Map() };
  const spsCtbBits = new Map<number, number>();
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
    }
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
