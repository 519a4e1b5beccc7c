/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices (7.3.2.1.1). */
export function h264HasChromaInfo(profileIdc: number): boolean {
  return [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profileIdc);
}

/** Annex A profile name from profile_idc and the constraint_set flags byte (SPS byte 2). */
export function h264ProfileName(profileIdc: number, constraintFlags: number): string {
  const cs = (i: number): boolean => ((constraintFlags >> (7 - i)) & 1) === 1;
  switch (profileIdc) {
    case 66:
      return cs(1) ? 'Constrained Baseline' : 'Baseline';
    case 77:
      return 'Main';
    case 88:
      return 'Extended';
    case 100:
      if (cs(4) && cs(5)) return 'Constrained High';
      return cs(4) ? 'Progressive High' : 'High';
    case 110:
      if (cs(3)) return 'High 10 Intra';
      return cs(4) ? 'Progressive High 10' : 'High 10';
    case 122:
      return cs(3) ? 'High 4:2:2 Intra' : 'High 4:2:2';
    case 244:
      return cs(3) ? 'High 4:4:4 Intra' : 'High 4:4:4 Predictive';
    case 44:
      return 'CAVLC 4:4:4 Intra';
    case 83:
      return cs(5) ? 'Scalable Constrained Baseline' : 'Scalable Baseline';
    case 86:
      if (cs(3)) return 'Scalable High Intra';
      return cs(5) ? 'Scalable Constrained High' : 'Scalable High';
    case 118:
      return 'Multiview High';
    case 128:
      return 'Stereo High';
    case 134:
      return 'MFC High';
    case 135:
      return 'MFC Depth High';
    case 138:
      return 'Multiview Depth High';
    case 139:
      return 'Enhanced Multiview Depth High';
    default:
      return `unknown (${profileIdc})`;
  }
}

/**
 * Level as Table A-1 names it: "3.1", "4", "1b". Level 1b is level_idc 11 with constraint_set3_flag in
 * Baseline/Main/Extended, or level_idc 9 in the other profiles.
 */
export function h264LevelName(levelIdc: number, profileIdc: number, constraintFlags: number): string {
  const cs3 = ((constraintFlags >> 4) & 1) === 1;
  if (levelIdc === 9) return '1b';
  if (levelIdc === 11 && cs3 && (profileIdc === 66 || profileIdc === 77 || profileIdc === 88)) return '1b';
  const major = Math.floor(levelIdc / 10);
  const minor = levelIdc % 10;
  return minor === 0 ? `${major}` : `${major}.${minor}`;
}
