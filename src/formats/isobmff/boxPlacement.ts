/**
 * Where boxes stand (the "Container" of each box in ISO/IEC 14496-12), for reading past a damaged size:
 * the boxes that stand only at a file's top level, and the boxes that stand only inside a given box.
 */
export const FILE_LEVEL_ONLY: ReadonlySet<string> = new Set(['ftyp', 'styp', 'moov', 'moof', 'mdat', 'sidx', 'ssix', 'mfra', 'prft', 'emsg']);

const CHILDREN_ONLY: Readonly<Record<string, ReadonlySet<string>>> = {
  moov: new Set(['mvhd', 'trak', 'mvex', 'iods']),
  moof: new Set(['mfhd', 'traf']),
  traf: new Set(['tfhd', 'tfdt', 'trun', 'sbgp', 'sgpd', 'subs', 'saiz', 'saio', 'senc', 'sdtp']),
};

/** The types that stand only inside a box of `type`, when this module knows them. */
export function childrenOnlyIn(type: string): ReadonlySet<string> | undefined {
  return Object.hasOwn(CHILDREN_ONLY, type) ? CHILDREN_ONLY[type] : undefined;
}
