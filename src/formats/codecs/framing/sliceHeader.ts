import { BitReader } from '../../bits/bitReader';
import type { AvcSliceContext, HevcSliceContext } from './parameterSetReference';

// One scratch buffer and reader for all calls: slice headers are read on every frame.
const scratch = new Uint8Array(24);
const reader = new BitReader(scratch);

/** Copies up to scratch.length RBSP bytes of the NAL payload starting at `start`, dropping emulation prevention. */
function load(frame: Uint8Array, start: number, end: number): void {
  let n = 0;
  let zeros = 0;
  for (let i = start; i < end && n < scratch.length; i++) {
    const b = frame[i] ?? 0;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    scratch[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  reader.reset(scratch, 0, n);
}

export interface H264SliceStart {
  first_mb_in_slice: number;
  slice_type: number;
  pic_parameter_set_id: number;
  /** With the PPS's SPS known and frame_mbs_only_flag 0 in it: the picture is a field (1) or a frame (0). */
  field_pic_flag?: number;
  bottom_field_flag?: number;
  /** The frame's macroblock pairs may each be frame or field coded (7-25): mb_adaptive_frame_field_flag && !field_pic_flag. */
  MbaffFrameFlag?: number;
}

/**
 * slice_header() (7.3.3) up to slice_type and pic_parameter_set_id, and up to field_pic_flag when `pps`
 * has the context of the slice's PPS; `start` is the first byte after the 1-byte NAL header.
 */
export function readH264SliceStart(frame: Uint8Array, start: number, end: number, pps?: ReadonlyMap<number, AvcSliceContext>): H264SliceStart | undefined {
  load(frame, start, end);
  const first = reader.ue();
  const type = reader.ue();
  const ppsId = reader.ue();
  if (reader.exhausted || type > 9) return undefined;
  const out: H264SliceStart = { first_mb_in_slice: first, slice_type: type, pic_parameter_set_id: ppsId };
  const ctx = pps?.get(ppsId);
  if (!ctx || ctx.frame_mbs_only_flag) return out;
  if (ctx.separate_colour_plane_flag) reader.skip(2); // colour_plane_id
  reader.skip(ctx.frameNumBits); // frame_num
  const field = reader.u1();
  const bottom = field ? reader.u1() : 0;
  if (reader.exhausted) return out;
  out.field_pic_flag = field;
  if (field) out.bottom_field_flag = bottom;
  out.MbaffFrameFlag = ctx.mb_adaptive_frame_field_flag && !field ? 1 : 0;
  return out;
}

export interface H265SliceStart {
  first_slice_segment_in_pic_flag: number;
  slice_pic_parameter_set_id: number;
  dependent_slice_segment_flag?: number;
  /** Absent for dependent slice segments (they take it from the preceding segment) and without a PPS. */
  slice_type?: number;
}

/** slice_segment_header() up to slice_type (7.3.6.1); `start` is the first byte after the 2-byte NAL header. */
export function readH265SliceStart(frame: Uint8Array, start: number, end: number, nalType: number, pps: ReadonlyMap<number, HevcSliceContext>): H265SliceStart | undefined {
  load(frame, start, end);
  const first = reader.u1();
  if (nalType >= 16 && nalType <= 23) reader.u1(); // no_output_of_prior_pics_flag
  const ppsId = reader.ue();
  if (reader.exhausted) return undefined;
  const out: H265SliceStart = { first_slice_segment_in_pic_flag: first, slice_pic_parameter_set_id: ppsId };
  const ctx = pps.get(ppsId);
  if (!ctx) return out;
  let dependent = 0;
  if (!first) {
    if (ctx.dependent_slice_segments_enabled_flag) dependent = out.dependent_slice_segment_flag = reader.u1();
    if (ctx.sliceAddressBits === undefined) return out;
    reader.skip(ctx.sliceAddressBits);
  }
  if (dependent) return out;
  reader.skip(ctx.num_extra_slice_header_bits);
  const type = reader.ue();
  if (!reader.exhausted && type <= 2) out.slice_type = type;
  return out;
}
