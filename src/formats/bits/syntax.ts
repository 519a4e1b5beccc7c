/**
 * Shapes shared by every bit-level parser: decoded syntax elements as a plain JSON object named as in
 * the ITU-T / ISO syntax tables, and where each element sits in the input.
 */

/** A decoded syntax structure: spec-named elements, arrays for indexed syntax (`null` where absent). */
export type FieldValue = number | string | null | FieldValue[] | Fields;
export interface Fields {
  [name: string]: FieldValue;
}

export interface FieldLocation {
  /** Path into `fields`: `vui_parameters.time_scale`, `offset_for_ref_frame[2]`, `delta_scale[8][0]`. */
  path: string;
  /** Value as coded (se(v) signed, flags 0/1); for an embedded byte string `bit(8*n)`, its length n. */
  value: number;
  /** Descriptor from the syntax table: `u(8)`, `ue(v)`, `se(v)`. */
  descriptor: string;
  /**
   * Bit position inside the structure. For NAL units it counts from the first bit of the NAL unit
   * header in the RBSP (emulation-prevention bytes removed), as `ffmpeg -bsf:v trace_headers` prints it;
   * for records (avcC, hvcC, AudioSpecificConfig) it counts from the first byte of the record.
   */
  bitOffset: number;
  bitLength: number;
  /** Absolute offset in the input of the byte holding the first bit (emulation prevention accounted). */
  byteOffset: number;
  /** Input bytes the element spans, emulation-prevention bytes inside it included. */
  byteLength: number;
}

/** Why a bit-level parse stopped early. */
export interface SyntaxStop {
  kind: 'truncated' | 'malformed' | 'invalid';
  /** Path of the element that could not be read (or was out of range). */
  path: string;
  bitOffset: number;
  message: string;
}

/**
 * One field of a container structure (an ISO BMFF box; an MPEG-TS packet header, PSI section or PES
 * header) under the name its specification gives it, and where it sits in the input. `bitOffset`
 * counts from the first byte of the structure.
 */
export interface ContainerField extends Omit<FieldLocation, 'value'> {
  /**
   * Value as coded; four-character codes and strings as text, longer byte strings as hex, integers
   * beyond Number.MAX_SAFE_INTEGER as decimal strings.
   */
  value: number | string;
}

/**
 * A ContainerField of `bitLength` bits at bit `bitOffset` of a structure whose first byte is at absolute
 * `origin`: the byte range is that of the bytes the bits touch.
 */
export function containerField(path: string, value: number | string, descriptor: string, origin: number, bitOffset: number, bitLength: number): ContainerField {
  const first = Math.floor(bitOffset / 8);
  return { path, value, descriptor, bitOffset, bitLength, byteOffset: origin + first, byteLength: Math.ceil((bitOffset + bitLength) / 8) - first };
}
