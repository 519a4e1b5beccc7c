/** H.265 Table 7-1 nal_unit_type names. */
const NAMES: Record<number, string> = {
  0: 'TRAIL_N',
  1: 'TRAIL_R',
  2: 'TSA_N',
  3: 'TSA_R',
  4: 'STSA_N',
  5: 'STSA_R',
  6: 'RADL_N',
  7: 'RADL_R',
  8: 'RASL_N',
  9: 'RASL_R',
  16: 'BLA_W_LP',
  17: 'BLA_W_RADL',
  18: 'BLA_N_LP',
  19: 'IDR_W_RADL',
  20: 'IDR_N_LP',
  21: 'CRA_NUT',
  32: 'VPS_NUT',
  33: 'SPS_NUT',
  34: 'PPS_NUT',
  35: 'AUD_NUT',
  36: 'EOS_NUT',
  37: 'EOB_NUT',
  38: 'FD_NUT',
  39: 'PREFIX_SEI_NUT',
  40: 'SUFFIX_SEI_NUT',
};

export const H265_NAL = {
  RADL_N: 6,
  RADL_R: 7,
  RASL_N: 8,
  RASL_R: 9,
  BLA_W_LP: 16,
  CRA: 21,
  VPS: 32,
  SPS: 33,
  PPS: 34,
  AUD: 35,
  EOS: 36,
  EOB: 37,
  FD: 38,
  PREFIX_SEI: 39,
  SUFFIX_SEI: 40,
} as const;

export function h265NalTypeName(type: number): string {
  const name = NAMES[type];
  if (name) return name;
  if (type <= 15) return type % 2 === 0 ? `RSV_VCL_N${type}` : `RSV_VCL_R${type}`;
  if (type <= 23) return `RSV_IRAP_VCL${type}`;
  if (type <= 31) return `RSV_VCL${type}`;
  if (type <= 47) return `RSV_NVCL${type}`;
  return `UNSPEC${type}`;
}

/** Coded slice segment NAL units (VCL, 0..31). */
export function isH265Vcl(type: number): boolean {
  return type >= 0 && type <= 31;
}

/** IRAP pictures (BLA, IDR, CRA and reserved IRAP types): random access points, key frames. */
export function isH265Irap(type: number): boolean {
  return type >= 16 && type <= 23;
}

/** 7.4.7.1 slice_type. */
export function h265SliceTypeName(sliceType: number): string {
  return ['B', 'P', 'I'][sliceType] ?? '?';
}
