// The parameter sets a frame carries in-band, as NAL units with their place in the frame.
import { analyzeFrameNals, type ExpectedFraming } from './frameNals';

/** One in-band parameter set: its nal_unit_type, where it starts in the frame, and its bytes. */
export interface NalBytes {
  type: number;
  offset: number;
  bytes: Uint8Array;
}

/** The VPS/SPS/PPS NAL units of a frame, in order (views into `frame`). */
export function inBandNals(frame: Uint8Array, codec: 'h264' | 'h265', expected: ExpectedFraming): NalBytes[] {
  return analyzeFrameNals(frame, { codec, expected }).inBandParameterSets.map((unit) => ({
    type: unit.nal_unit_type,
    offset: unit.offset,
    bytes: frame.subarray(unit.offset, unit.offset + unit.length),
  }));
}

/** nal_unit_type of an SPS. */
export function spsType(codec: 'h264' | 'h265'): number {
  return codec === 'h264' ? 7 : 33;
}
