import { bytesEqual } from '../../bytesEqual';
import { issue } from '../../issues';
import type { Issue } from '../../issues';
import { H264_NAL, h264NalTypeName, h264SliceTypeName, isH264SliceNal } from '../h264/nalTypes';
import { H265_NAL, h265NalTypeName, h265SliceTypeName, isH265Irap, isH265Vcl } from '../h265/nalTypes';
import { buildParameterSetReference, matchesReference } from './parameterSetReference';
import type { AvcSliceContext, HevcSliceContext, ParameterSetReference } from './parameterSetReference';
import { SEI_RECOVERY_POINT, seiPayloadTypes } from './seiMessages';
import { readH264SliceStart, readH265SliceStart } from './sliceHeader';

export type ExpectedFraming = 1 | 2 | 3 | 4 | 'annex-b';

export interface FrameNalOptions {
  codec: 'h264' | 'h265';
  /** What the container promises: the NAL length size of the avcC/hvcC (MKV, MP4), or 'annex-b' (MPEG-TS). */
  expected: ExpectedFraming;
  /** False when no avcC/hvcC could be read and `expected` is the 4 that KVS needs (default true). */
  declared?: boolean;
  /** The codec private data's parameter sets, to compare in-band ones with (buildParameterSetReference). */
  reference?: ParameterSetReference;
  /** Absolute offset of frame byte 0, for NAL offsets and issue offsets. */
  baseOffset?: number;
  /** H.265: what the frames before this one (in decode order) set in-band, their analyses' `inBandAfter`. */
  inBandBefore?: InBandParameterSets;
}

/**
 * H.265 SPS/PPS that frames carried in-band and the codec private data does not hold (a resolution
 * change in an MPEG-TS, or a joined recording), last seen last, and the slice-header contexts in force
 * with them: a slice's header is read by the PPS it names, whichever frame brought that PPS.
 */
export interface InBandParameterSets {
  sets: readonly Uint8Array[];
  contexts: ReadonlyMap<number, HevcSliceContext>;
}

export interface FrameNalUnit {
  /** Absolute offset of the NAL unit header (after the length prefix or start code). */
  offset: number;
  length: number;
  nal_unit_type: number;
  name: string;
  nal_ref_idc?: number;
  nuh_layer_id?: number;
  nuh_temporal_id_plus1?: number;
  first_mb_in_slice?: number;
  first_slice_segment_in_pic_flag?: number;
  slice_type?: number;
  /** I, P, B (SP, SI for H.264). */
  sliceTypeName?: string;
  pic_parameter_set_id?: number;
  /** H.264 slices whose SPS allows fields (frame_mbs_only_flag 0), with the SPS known. */
  field_pic_flag?: number;
  bottom_field_flag?: number;
  /** 1: a frame whose macroblock pairs may each be field coded (7-25). */
  MbaffFrameFlag?: number;
  /** For VPS/SPS/PPS: byte-identical to one in the codec private data (undefined without a reference). */
  matchesCodecPrivate?: boolean;
  /** For SEI: the payloadType of each of its messages (6: recovery point). */
  seiPayloadTypes?: number[];
}

export interface FrameNalAnalysis {
  framing: 'length-prefixed' | 'annex-b' | 'unknown';
  /** The length-prefix size that parses the frame (length-prefixed framing only). */
  lengthSize?: number;
  nalUnits: FrameNalUnit[];
  /** Contains an IDR picture (H.264) or an IRAP picture (H.265). */
  keyframe: boolean;
  /** Slice types of the frame's slices, deduplicated, in order of appearance ("I", "P", "B"). */
  sliceTypes: string[];
  /**
   * H.264 whose SPS allows fields (frame_mbs_only_flag 0), from the first slice: a progressive frame, a
   * field (or the two of a frame), or a frame whose macroblock pairs may be field coded (MBAFF).
   */
  pictureStructure?: 'frame' | 'field' | 'mbaff';
  /**
   * Carries a recovery point SEI message: decoding may start here though the picture is no IDR/IRAP
   * (x264's intra refresh and open-GOP I pictures write one).
   */
  recoveryPoint: boolean;
  /** The VPS/SPS/PPS NAL units carried in the frame (the same objects as in nalUnits). */
  inBandParameterSets: FrameNalUnit[];
  /** H.265: the in-band parameter sets in force after the frame, for the next frame's `inBandBefore`. */
  inBandAfter?: InBandParameterSets;
  issues: Issue[];
}

const ADAPT_HINT =
  'The frame uses Annex-B start codes but the track declares length-prefixed NAL units (avcC/hvcC). With the KVS producer SDK set NAL_ADAPTATION_ANNEXB_NALS in the stream definition so it rewrites start codes to 4-byte lengths (the C++ default is ANNEXB_NALS | ANNEXB_CPD_NALS); a mismatched flag gives 0x3200000d/0x3200000e.';

/**
 * Splits one frame (a Matroska block, MP4 sample or PES access unit) into NAL units, detects the framing
 * it really uses, and reports NAL types, slice types and in-band parameter sets. Cost grows with the
 * number of NAL units for length-prefixed frames and with the bytes for Annex-B.
 */
export function analyzeFrameNals(frame: Uint8Array, options: FrameNalOptions): FrameNalAnalysis {
  const base = options.baseOffset ?? 0;
  const out: FrameNalAnalysis = { framing: 'unknown', nalUnits: [], keyframe: false, sliceTypes: [], recoveryPoint: false, inBandParameterSets: [], issues: [] };
  const spans: number[] = []; // start, end pairs of NAL units (frame-relative)
  const expected = options.expected;

  if (frame.length === 0) {
    out.issues.push(issue('warning', 'FRAME_EMPTY', 'The frame has no bytes.', base));
    return out;
  }
  if (expected !== 'annex-b') {
    // Another size may be the frame's: 4-byte lengths read as 2-byte ones chain too, through empty NAL
    // units, and a 4-byte length of 256..511 starts as a 3-byte start code does.
    // (`spans` keep the units of the size that walked cleanly.)
    const fits = walksCleanly(frame, expected, spans);
    const other = fits ? undefined : [4, 2, 1, 3].find((size) => size !== expected && walksCleanly(frame, size, spans));
    if (fits) {
      out.framing = 'length-prefixed';
      out.lengthSize = expected;
    } else if (other !== undefined) {
      out.framing = 'length-prefixed';
      out.lengthSize = other;
      out.issues.push(
        issue(
          'error',
          'NAL_LENGTH_SIZE_MISMATCH',
          `The frame parses with ${other}-byte NAL lengths, but the codec private data declares ${expected} (lengthSizeMinusOne ${expected - 1}).`,
          base,
          `Make lengthSizeMinusOne in the avcC/hvcC ${other - 1}, or write ${expected}-byte length prefixes.`,
        ),
      );
    } else if (startsWithStartCode(frame)) {
      spans.length = 0;
      scanAnnexB(frame, spans);
      out.framing = 'annex-b';
      const promised = options.declared === false ? 'KVS needs length-prefixed NAL units (4-byte lengths, as an avcC/hvcC record declares)' : `the codec private data declares ${expected}-byte NAL lengths`;
      out.issues.push(issue('error', 'NAL_FRAMING_ANNEX_B', `The frame starts with an Annex-B start code, but ${promised}.`, base, ADAPT_HINT));
    } else {
      spans.length = 0;
      const stop = walkLengthPrefixed(frame, expected, spans);
      out.framing = 'length-prefixed';
      out.lengthSize = expected;
      // Lengths that chain to the end through empty NAL units: those are reported with the units.
      if (stop !== frame.length) {
        out.issues.push(
          issue('error', 'NAL_LENGTH_OVERRUN', `A ${expected}-byte NAL length at frame byte ${stop} does not fit in the ${frame.length}-byte frame: the frame is damaged or not length-prefixed.`, base + stop),
        );
      }
    }
  } else if (!(frame[0] === 0 && frame[1] === 0 && frame[2] === 0 && frame[3] === 1) && walkLengthPrefixed(frame, 4, spans) === frame.length) {
    // a 4-byte length of 256..511 also starts with 00 00 01: lengths that chain exactly to the end decide
    out.framing = 'length-prefixed';
    out.lengthSize = 4;
    out.issues.push(
      issue('error', 'NAL_FRAMING_LENGTH_PREFIXED', 'The stream should carry Annex-B start codes (MPEG-TS) but this frame has 4-byte NAL lengths.', base, 'Convert the frames to Annex-B (for example the h264_mp4toannexb / hevc_mp4toannexb bitstream filters).'),
    );
  } else if (findStartCode(frame, 0) >= 0) {
    spans.length = 0;
    const lead = scanAnnexB(frame, spans);
    out.framing = 'annex-b';
    if (lead > 0) out.issues.push(issue('warning', 'ANNEX_B_LEADING_DATA', `${lead} bytes precede the first start code; they belong to no NAL unit.`, base));
  } else {
    out.issues.push(issue('error', 'NAL_FRAMING_UNKNOWN', 'The frame has neither Annex-B start codes nor valid 4-byte NAL lengths.', base));
    return out;
  }
  describeUnits(frame, spans, options, out);
  return out;
}

/**
 * Whether the picture of an Annex-B frame is a random access point (an IDR picture for H.264, IRAP for
 * H.265), judged by its first VCL NAL unit (every slice of a picture has the type of the first), so that
 * only the bytes up to that unit's header are needed: the start of a frame will do. Undefined when the
 * bytes hold no VCL NAL header or do not begin with a 4-byte start code (analyzeFrameNals then decides).
 */
export function annexBRandomAccess(bytes: Uint8Array, codec: 'h264' | 'h265'): boolean | undefined {
  if (!(bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 1)) return undefined;
  for (let at = 4; at >= 0 && at < bytes.length; at = findStartCode(bytes, at)) {
    const header = bytes[at] ?? 0;
    if (codec === 'h264') {
      const type = header & 0x1f;
      if (type >= 1 && type <= 5) return type === 5;
    } else {
      const type = (header >> 1) & 0x3f;
      if (isH265Vcl(type)) return isH265Irap(type);
    }
  }
  return undefined;
}

/** Whether `size`-byte lengths chain exactly to the frame's end with no empty NAL unit (every unit has a header); `spans` gets the units. */
function walksCleanly(frame: Uint8Array, size: number, spans: number[]): boolean {
  spans.length = 0;
  if (walkLengthPrefixed(frame, size, spans) !== frame.length) return false;
  for (let i = 0; i < spans.length; i += 2) if (spans[i] === spans[i + 1]) return false;
  return true;
}

/** Walks length-prefixed NAL units; returns the frame offset where the walk stopped (frame.length on success). */
function walkLengthPrefixed(frame: Uint8Array, size: number, spans: number[]): number {
  let pos = 0;
  const end = frame.length;
  while (pos < end) {
    if (pos + size > end) return pos;
    let len = 0;
    for (let i = 0; i < size; i++) len = len * 256 + (frame[pos + i] ?? 0);
    const start = pos + size;
    if (start + len > end) return pos;
    spans.push(start, start + len);
    pos = start + len;
  }
  return pos;
}

function startsWithStartCode(frame: Uint8Array): boolean {
  return frame[0] === 0 && frame[1] === 0 && (frame[2] === 1 || (frame[2] === 0 && frame[3] === 1));
}

/** Offset of the first byte after the next 00 00 01 at or after `from`, or -1. */
function findStartCode(frame: Uint8Array, from: number): number {
  const end = frame.length;
  let i = from + 2;
  while (i < end) {
    const b = frame[i] ?? 0;
    if (b > 1) i += 3;
    else if (b === 0) i += 1;
    else if (frame[i - 1] === 0 && frame[i - 2] === 0) return i + 1;
    else i += 3;
  }
  return -1;
}

/** Collects NAL spans between start codes (trailing zero bytes stripped); returns the bytes before the first one. */
function scanAnnexB(frame: Uint8Array, spans: number[]): number {
  let start = findStartCode(frame, 0);
  if (start < 0) return frame.length;
  let lead = start - 3;
  while (lead > 0 && frame[lead - 1] === 0) lead--;
  while (start >= 0) {
    const next = findStartCode(frame, start);
    let end = next < 0 ? frame.length : next - 3;
    while (end > start && frame[end - 1] === 0) end--; // zero_byte / trailing_zero_8bits
    if (end > start) spans.push(start, end);
    start = next;
  }
  return lead;
}

function describeUnits(frame: Uint8Array, spans: number[], options: FrameNalOptions, out: FrameNalAnalysis): void {
  const base = options.baseOffset ?? 0;
  const h264 = options.codec === 'h264';
  const ref = options.reference;
  if (!h264) out.inBandAfter = inBandAfter(frame, spans, ref, options.inBandBefore);
  const hevcPps = out.inBandAfter?.contexts ?? EMPTY;
  const avcPps = ref?.avcPps;
  for (let k = 0; k < spans.length; k += 2) {
    const start = spans[k] ?? 0;
    const end = spans[k + 1] ?? 0;
    const length = end - start;
    if (length === 0) {
      out.issues.push(issue('warning', 'NAL_EMPTY', 'A NAL unit has length 0.', base + start));
      continue;
    }
    const b0 = frame[start] ?? 0;
    if (out.framing === 'length-prefixed' && b0 === 0 && frame[start + 1] === 0 && ((frame[start + 2] ?? 2) <= 1)) {
      out.issues.push(
        issue('error', 'NAL_CONTAINS_START_CODE', 'A length-prefixed NAL unit begins with an Annex-B start code: Annex-B data was wrapped in a length prefix instead of being converted.', base + start, ADAPT_HINT),
      );
    }
    if (b0 & 0x80) out.issues.push(issue('error', 'NAL_FORBIDDEN_BIT', 'forbidden_zero_bit is 1: the NAL unit is damaged or the framing is wrong.', base + start));
    if (out.framing === 'length-prefixed' && frame[end - 1] === 0) {
      out.issues.push(
        issue('warning', 'NAL_TRAILING_ZERO', 'A NAL unit ends with a 0x00 byte (typically trailing zeros left from Annex-B conversion); the last byte of a NAL unit must not be 0.', base + end - 1, 'Strip trailing zero bytes before the next start code when converting Annex-B to length-prefixed NAL units.'),
      );
    }
    const unit: FrameNalUnit = h264 ? describeH264(frame, start, end, base, avcPps) : describeH265(frame, start, end, base, hevcPps);
    out.nalUnits.push(unit);
    const type = unit.nal_unit_type;
    if (h264 ? type === 5 : isH265Irap(type)) out.keyframe = true;
    if (unit.sliceTypeName !== undefined && !out.sliceTypes.includes(unit.sliceTypeName)) out.sliceTypes.push(unit.sliceTypeName);
    if (unit.field_pic_flag !== undefined) out.pictureStructure ??= unit.field_pic_flag ? 'field' : unit.MbaffFrameFlag ? 'mbaff' : 'frame';
    // (H.265 puts a recovery point in a prefix SEI only.)
    if (h264 ? type === H264_NAL.SEI : type === H265_NAL.PREFIX_SEI || type === H265_NAL.SUFFIX_SEI) {
      unit.seiPayloadTypes = seiPayloadTypes(frame, start + (h264 ? 1 : 2), end);
      if (type !== H265_NAL.SUFFIX_SEI && unit.seiPayloadTypes.includes(SEI_RECOVERY_POINT)) out.recoveryPoint = true;
    }
    const isParameterSet = h264 ? type === 7 || type === 8 : type >= 32 && type <= 34;
    if (isParameterSet) out.inBandParameterSets.push(unit);
    if (isParameterSet && ref) {
      unit.matchesCodecPrivate = matchesReference(ref, type, frame, start, length);
      if (!unit.matchesCodecPrivate) {
        const known = (ref.byType.get(type)?.length ?? 0) > 0;
        out.issues.push(
          issue(
            'warning',
            'INBAND_PARAMETER_SET_DIFFERS',
            known ? `In-band ${unit.name} differs from the one in the codec private data.` : `In-band ${unit.name} is not in the codec private data.`,
            base + start,
            'KVS and MSE players use the codec private data; parameter sets that change mid-stream give InvalidCodecPrivateData for HLS/DASH. Start a new stream (or new track header) when the encoder settings change.',
          ),
        );
      }
    }
  }
}

const EMPTY: ReadonlyMap<number, HevcSliceContext> = new Map();

/** H.265: the in-band SPS/PPS in force after the frame: those before it, updated by the frame's own that the reference does not hold. */
function inBandAfter(frame: Uint8Array, spans: number[], ref: ParameterSetReference | undefined, before: InBandParameterSets | undefined): InBandParameterSets {
  const fresh: Uint8Array[] = [];
  for (let k = 0; k < spans.length; k += 2) {
    const start = spans[k] ?? 0;
    const end = spans[k + 1] ?? 0;
    const type = ((frame[start] ?? 0) >> 1) & 0x3f;
    if ((type === 33 || type === 34) && end > start && !(ref && matchesReference(ref, type, frame, start, end - start))) {
      fresh.push(frame.slice(start, end)); // a copy: the frame's bytes may be a reused read buffer
    }
  }
  if (fresh.length === 0) return before ?? { sets: [], contexts: ref?.hevcPps ?? EMPTY };
  // A set seen again moves to the end, where it overrides the sets of the same id seen before it.
  const sets = [...(before?.sets ?? []).filter((set) => !fresh.some((other) => bytesEqual(set, other))), ...fresh];
  const known = ref ? [...(ref.byType.get(33) ?? []), ...(ref.byType.get(34) ?? [])] : [];
  return { sets, contexts: buildParameterSetReference('h265', [...known, ...sets]).hevcPps };
}

function describeH264(frame: Uint8Array, start: number, end: number, base: number, pps: ReadonlyMap<number, AvcSliceContext> | undefined): FrameNalUnit {
  const b0 = frame[start] ?? 0;
  const type = b0 & 0x1f;
  const unit: FrameNalUnit = { offset: base + start, length: end - start, nal_unit_type: type, name: h264NalTypeName(type), nal_ref_idc: (b0 >> 5) & 3 };
  if (isH264SliceNal(type)) {
    const s = readH264SliceStart(frame, start + 1, end, pps);
    if (s) {
      unit.first_mb_in_slice = s.first_mb_in_slice;
      unit.slice_type = s.slice_type;
      unit.sliceTypeName = h264SliceTypeName(s.slice_type);
      unit.pic_parameter_set_id = s.pic_parameter_set_id;
      if (s.field_pic_flag !== undefined) unit.field_pic_flag = s.field_pic_flag;
      if (s.bottom_field_flag !== undefined) unit.bottom_field_flag = s.bottom_field_flag;
      if (s.MbaffFrameFlag !== undefined) unit.MbaffFrameFlag = s.MbaffFrameFlag;
    }
  }
  return unit;
}

function describeH265(frame: Uint8Array, start: number, end: number, base: number, pps: ReadonlyMap<number, HevcSliceContext>): FrameNalUnit {
  const b0 = frame[start] ?? 0;
  const b1 = frame[start + 1] ?? 0;
  const type = (b0 >> 1) & 0x3f;
  const unit: FrameNalUnit = {
    offset: base + start,
    length: end - start,
    nal_unit_type: type,
    name: h265NalTypeName(type),
    nuh_layer_id: ((b0 & 1) << 5) | (b1 >> 3),
    nuh_temporal_id_plus1: b1 & 7,
  };
  if (isH265Vcl(type) && end - start > 2) {
    const s = readH265SliceStart(frame, start + 2, end, type, pps);
    if (s) {
      unit.first_slice_segment_in_pic_flag = s.first_slice_segment_in_pic_flag;
      unit.pic_parameter_set_id = s.slice_pic_parameter_set_id;
      if (s.slice_type !== undefined) {
        unit.slice_type = s.slice_type;
        unit.sliceTypeName = h265SliceTypeName(s.slice_type);
      }
    }
  }
  return unit;
}
