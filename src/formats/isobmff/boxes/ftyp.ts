import { defineBox } from './define';
import type { BoxReader } from '../reader';

export interface FileTypeFields {
  majorBrand: string;
  minorVersion: number;
  compatibleBrands: string[];
}

function parseBrands(r: BoxReader): FileTypeFields {
  const majorBrand = r.fourcc('major_brand');
  const minorVersion = r.u32('minor_version');
  const compatibleBrands: string[] = [];
  while (r.remaining() >= 4) compatibleBrands.push(r.fourcc(`compatible_brands[${compatibleBrands.length}]`));
  return { majorBrand, minorVersion, compatibleBrands };
}

export const ftyp = defineBox({ type: 'ftyp', name: 'FileTypeBox', parse: parseBrands });
export const styp = defineBox({ type: 'styp', name: 'SegmentTypeBox', parse: parseBrands });
