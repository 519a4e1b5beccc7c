import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields, FieldValue } from '../../bits/syntax';

/** The general profile/tier/level, as the hvcC record and the hvc1 codec string carry them. */
export interface H265PtlSummary {
  general_profile_space: number;
  general_tier_flag: number;
  general_profile_idc: number;
  /** general_profile_compatibility_flag[0..31] packed, flag[0] in the most significant bit. */
  general_profile_compatibility_flags: number;
  /** The 48 bits from general_progressive_source_flag on, as 6 bytes. */
  general_constraint_indicator_flags: number[];
  general_level_idc: number;
}

/** 7.3.3 profile_tier_level(profilePresentFlag, maxNumSubLayersMinus1) into `p`; returns the general summary. */
export function readProfileTierLevel(r: SyntaxReader, p: Fields, profilePresent: boolean, maxSubLayersMinus1: number): H265PtlSummary | undefined {
  let constraintStart = -1;
  if (profilePresent) {
    constraintStart = readProfile(r, (name, n) => r.u(p, `general_${name}`, n), (j) => r.within('general_profile_compatibility_flag', () => r.u(flagsArray(p, 'general_profile_compatibility_flag', 32), j, 1)));
  }
  r.u(p, 'general_level_idc', 8);
  const n = maxSubLayersMinus1;
  const profilePresentFlags: number[] = [];
  const levelPresentFlags: number[] = [];
  if (n > 0) {
    p.sub_layer_profile_present_flag = profilePresentFlags;
    p.sub_layer_level_present_flag = levelPresentFlags;
  }
  for (let i = 0; i < n; i++) {
    r.within('sub_layer_profile_present_flag', () => r.u(profilePresentFlags, i, 1));
    r.within('sub_layer_level_present_flag', () => r.u(levelPresentFlags, i, 1));
  }
  if (n > 0) {
    const reserved: FieldValue[] = new Array<FieldValue>(8).fill(null);
    p.reserved_zero_2bits = reserved;
    for (let i = n; i < 8; i++) r.within('reserved_zero_2bits', () => r.f(reserved, i, 2));
  }
  for (let i = 0; i < n && r.ok; i++) {
    if (profilePresentFlags[i] === 1) {
      readProfile(
        r,
        (name, bits) => r.within(`sub_layer_${name}`, () => r.u(flagsArray(p, `sub_layer_${name}`, n), i, bits)),
        (j) =>
          r.within('sub_layer_profile_compatibility_flag', () =>
            r.within(i, () => {
              const rows = flagsArray(p, 'sub_layer_profile_compatibility_flag', n);
              let row = rows[i];
              if (!Array.isArray(row)) {
                row = new Array<FieldValue>(32).fill(null);
                rows[i] = row;
              }
              return r.u(row, j, 1);
            }),
          ),
      );
    }
    if (levelPresentFlags[i] === 1) r.within('sub_layer_level_idc', () => r.u(flagsArray(p, 'sub_layer_level_idc', n), i, 8));
  }
  if (!profilePresent || typeof p.general_level_idc !== 'number') return undefined;
  const bits = r.bits;
  const saved = bits.pos;
  bits.seek(constraintStart);
  const constraint: number[] = [];
  for (let i = 0; i < 6; i++) constraint.push(bits.u(8));
  bits.seek(saved);
  let compat = 0;
  const flags = p.general_profile_compatibility_flag;
  if (Array.isArray(flags)) for (let j = 0; j < 32; j++) compat = compat * 2 + (flags[j] === 1 ? 1 : 0);
  return {
    general_profile_space: num(p.general_profile_space),
    general_tier_flag: num(p.general_tier_flag),
    general_profile_idc: num(p.general_profile_idc),
    general_profile_compatibility_flags: compat,
    general_constraint_indicator_flags: constraint,
    general_level_idc: num(p.general_level_idc),
  };
}

function num(v: FieldValue | undefined): number {
  return typeof v === 'number' ? v : 0;
}

/** The array `p[name]` (created with `length` nulls when missing). */
function flagsArray(p: Fields, name: string, length: number): FieldValue[] {
  const existing = p[name];
  if (Array.isArray(existing)) return existing;
  const arr = new Array<FieldValue>(length).fill(null);
  p[name] = arr;
  return arr;
}

/**
 * The profile part shared by general_* and sub_layer_* elements (names without the prefix).
 * Returns the bit position of progressive_source_flag (start of the 48 constraint bits).
 */
function readProfile(r: SyntaxReader, put: (name: string, n: number) => number, compatFlag: (j: number) => number): number {
  put('profile_space', 2);
  put('tier_flag', 1);
  const idc = put('profile_idc', 5);
  const compat: number[] = [];
  for (let j = 0; j < 32; j++) compat.push(compatFlag(j));
  const start = r.bits.pos;
  const is = (k: number): boolean => idc === k || compat[k] === 1;
  put('progressive_source_flag', 1);
  put('interlaced_source_flag', 1);
  put('non_packed_constraint_flag', 1);
  put('frame_only_constraint_flag', 1);
  if (is(4) || is(5) || is(6) || is(7) || is(8) || is(9) || is(10) || is(11)) {
    put('max_12bit_constraint_flag', 1);
    put('max_10bit_constraint_flag', 1);
    put('max_8bit_constraint_flag', 1);
    put('max_422chroma_constraint_flag', 1);
    put('max_420chroma_constraint_flag', 1);
    put('max_monochrome_constraint_flag', 1);
    put('intra_constraint_flag', 1);
    put('one_picture_only_constraint_flag', 1);
    put('lower_bit_rate_constraint_flag', 1);
    if (is(5) || is(9) || is(10) || is(11)) {
      put('max_14bit_constraint_flag', 1);
      put('reserved_zero_33bits', 33);
    } else {
      put('reserved_zero_34bits', 34);
    }
  } else if (is(2)) {
    put('reserved_zero_7bits', 7);
    put('one_picture_only_constraint_flag', 1);
    put('reserved_zero_35bits', 35);
  } else {
    put('reserved_zero_43bits', 43);
  }
  if (is(1) || is(2) || is(3) || is(4) || is(5) || is(9) || is(11)) put('inbld_flag', 1);
  else put('reserved_zero_bit', 1);
  return start;
}
