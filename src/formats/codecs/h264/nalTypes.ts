/** H.264 Table 7-1: nal_unit_type names (short forms as users search for them). */
const NAMES: readonly string[] = [
  'unspecified',
  'non-IDR slice',
  'slice data partition A',
  'slice data partition B',
  'slice data partition C',
  'IDR slice',
  'SEI',
  'SPS',
  'PPS',
  'AUD',
  'end of sequence',
  'end of stream',
  'filler data',
  'SPS extension',
  'prefix NAL unit',
  'subset SPS',
  'DPS',
  'reserved',
  'reserved',
  'auxiliary slice',
  'slice extension',
  'slice extension (depth view)',
  'reserved',
  'reserved',
];

export const H264_NAL = {
  NON_IDR: 1,
  PARTITION_A: 2,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_OF_SEQUENCE: 10,
  END_OF_STREAM: 11,
  FILLER: 12,
  SPS_EXT: 13,
  SUBSET_SPS: 15,
} as const;

export function h264NalTypeName(type: number): string {
  return NAMES[type] ?? 'unspecified';
}

/** Slice NAL units whose header starts with first_mb_in_slice, slice_type, pic_parameter_set_id. */
export function isH264SliceNal(type: number): boolean {
  return type === 1 || type === 2 || type === 5 || type === 19;
}

/** Table 7-6 (slice_type 5..9 mean every slice of the picture has that type). */
export function h264SliceTypeName(sliceType: number): string {
  return ['P', 'B', 'I', 'SP', 'SI'][sliceType % 5] ?? '?';
}
