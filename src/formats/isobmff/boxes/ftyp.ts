import { defineBox } from './define';
import type { BoxReader } from '../reader';

export interface FileTypeFields {
  majorBrand: string;
  minorVersion: number;
  compatibleBrands: string[];
}

function parseBrands(r: BoxReader): FileTypeFields {
  const majorBrand = r.fourcc();
  const minorVersion = r.u32();
  const compatibleBrands: string[] = [];
  while (r.remaining() >= 4) compatibleBrands.push(r.fourcc());
  return { majorBrand, minorVersion, compatibleBrands };
}

export const ftyp = defineBox({ type: 'ftyp', name: 'FileTypeBox', parse: parseBrands });
export const styp = defineBox({ type: 'styp', name: 'SegmentTypeBox', parse: parseBrands });
