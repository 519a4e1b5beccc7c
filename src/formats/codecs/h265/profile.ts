import type { Fields } from '../../bits/syntax';

/** Annex A profile name from general_profile_idc (and, for format range extensions, the constraint flags). */
export function h265ProfileName(profileIdc: number, ptl?: Fields): string {
  switch (profileIdc) {
    case 1:
      return 'Main';
    case 2:
      return ptl?.general_one_picture_only_constraint_flag === 1 ? 'Main 10 Still Picture' : 'Main 10';
    case 3:
      return 'Main Still Picture';
    case 4:
      return ptl ? rextName(ptl) : 'Format Range Extensions';
    case 5:
      return 'High Throughput';
    case 6:
      return 'Multiview Main';
    case 7:
      return 'Scalable Main';
    case 8:
      return '3D Main';
    case 9:
      return 'Screen Content Coding Extensions';
    case 10:
      return 'Scalable Format Range Extensions';
    case 11:
      return 'High Throughput Screen Content Coding Extensions';
    default:
      return `unknown (${profileIdc})`;
  }
}

/**
 * Table A.2: format range extensions profiles by their max_12bit, max_10bit, max_8bit, max_422chroma,
 * max_420chroma and max_monochrome constraint flags. Some exist only as intra profiles (Main Intra, Main 10
 * Intra, Main 4:4:4 16 Intra and Still Picture).
 */
const REXT: readonly [flags: string, name: string, intraOnly?: true][] = [
  ['111111', 'Monochrome'],
  ['110111', 'Monochrome 10'],
  ['100111', 'Monochrome 12'],
  ['000111', 'Monochrome 16'],
  ['111110', 'Main', true],
  ['110110', 'Main 10', true],
  ['100110', 'Main 12'],
  ['110100', 'Main 4:2:2 10'],
  ['100100', 'Main 4:2:2 12'],
  ['111000', 'Main 4:4:4'],
  ['110000', 'Main 4:4:4 10'],
  ['100000', 'Main 4:4:4 12'],
  ['000000', 'Main 4:4:4 16', true],
];

function rextName(p: Fields): string {
  const key = ['12bit', '10bit', '8bit', '422chroma', '420chroma', 'monochrome']
    .map((n) => (p[`general_max_${n}_constraint_flag`] === 1 ? '1' : '0'))
    .join('');
  const [, base, intraOnly] = REXT.find(([flags]) => flags === key) ?? [];
  const intra = p.general_intra_constraint_flag === 1;
  if (!base || (intraOnly && !intra)) return 'Format Range Extensions';
  if (p.general_one_picture_only_constraint_flag === 1) return `${base} Still Picture`;
  return intra ? `${base} Intra` : base;
}

/** general_level_idc is 30 × the level number: 93 → "3.1", 120 → "4". */
export function h265LevelName(levelIdc: number): string {
  if (levelIdc % 3 !== 0) return (levelIdc / 30).toFixed(2);
  const tenths = levelIdc / 3;
  const major = Math.floor(tenths / 10);
  const minor = tenths % 10;
  return minor === 0 ? `${major}` : `${major}.${minor}`;
}
