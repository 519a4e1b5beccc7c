/**
 * Every box type the walker decodes. To add a box: write a module in boxes/ exporting a spec made
 * with `defineBox` (or `containerBox`), and list it here. Unlisted types become leaf nodes whose
 * payload is never read (mdat, free, ...).
 */
import * as containers from './boxes/containers';
import { ftyp, styp } from './boxes/ftyp';
import { mvhd } from './boxes/mvhd';
import { tkhd } from './boxes/tkhd';
import { mdhd } from './boxes/mdhd';
import { hdlr } from './boxes/hdlr';
import { vmhd, smhd, nmhd, sthd } from './boxes/mediaHeaders';
import { stsd, dref, url, meta } from './boxes/stsd';
import { avc1, avc3, hvc1, hev1, mp4v, encv, mp4a, enca, genericAudioSampleEntry, genericVisualSampleEntry } from './boxes/sampleEntry';
import { avcC, hvcC, btrt, pasp, colr, frma, schm } from './boxes/codecConfig';
import { dac3, dec3 } from './boxes/dolbyAudio';
import { dfLa } from './boxes/dfLa';
import { esds } from './boxes/esds';
import { wave } from './boxes/wave';
import { elst } from './boxes/elst';
import { trex, mehd } from './boxes/mvex';
import { stts } from './boxes/stts';
import { ctts } from './boxes/ctts';
import { stsc } from './boxes/stsc';
import { stsz, stz2 } from './boxes/stsz';
import { stco, co64 } from './boxes/stco';
import { stss } from './boxes/stss';
import { mfhd } from './boxes/mfhd';
import { tfhd } from './boxes/tfhd';
import { tfdt } from './boxes/tfdt';
import { trun } from './boxes/trun';
import { sidx } from './boxes/sidx';
import { emsg } from './boxes/emsg';
import { prft } from './boxes/prft';
import { tenc, pssh, saiz, saio, senc } from './boxes/commonEncryption';
import { fourccCodeOf, fourccName, isPrintableFourccCode } from './fourcc';
import type { Box, BoxSpec } from './types';

const specs = [
  ...Object.values(containers),
  ftyp, styp, mvhd, tkhd, mdhd, hdlr, vmhd, smhd, nmhd, sthd,
  stsd, dref, url, meta,
  avc1, avc3, hvc1, hev1, mp4v, encv, mp4a, enca,
  avcC, hvcC, btrt, pasp, colr, frma, schm, esds, wave, dac3, dec3, dfLa,
  elst, trex, mehd,
  stts, ctts, stsc, stsz, stz2, stco, co64, stss,
  mfhd, tfhd, tfdt, trun, sidx, emsg, prft,
  tenc, pssh, saiz, saio, senc,
] as const;

type Spec = (typeof specs)[number];

/** Box type → decoded fields type, e.g. `BoxFieldMap['tkhd']` is `TrackHeaderFields`. */
export type BoxFieldMap = { [S in Spec as S['type']]: S extends BoxSpec<infer F> ? F : never };
export type KnownBoxType = keyof BoxFieldMap;

const byType = new Map<string, BoxSpec>(specs.map((s) => [s.type, s as BoxSpec]));

/** What the walker needs to know about a box type, found with one look-up per box by the type's code. */
export interface BoxTypeInfo {
  /** The type string ('moof'), one string shared by all boxes of the type. */
  readonly type: string;
  /** Printable ASCII (a garbage type usually means the walk lost the box grid). */
  readonly printable: boolean;
  /** The registered spec; under 'stsd', see {@link boxSpecIn}. */
  readonly spec: BoxSpec | undefined;
  /** Printable and not 'uuid': a box of this type has a plain 8- or 16-byte header. */
  readonly plain: boolean;
}

/** Types worth remembering beyond the registered ones; a damaged file can hold millions of others. */
const MAX_REMEMBERED_TYPES = 4096;
const typesByCode = new Map<number, BoxTypeInfo>();

function typeInfo(code: number, type: string, spec: BoxSpec | undefined): BoxTypeInfo {
  const printable = isPrintableFourccCode(code);
  return { type, printable, spec, plain: printable && type !== 'uuid' };
}

for (const spec of specs) typesByCode.set(fourccCodeOf(spec.type), typeInfo(fourccCodeOf(spec.type), spec.type, spec as BoxSpec));
/** ISO/IEC 14496-12 names of box types read as leaves (their payload is not decoded). */
const UNDECODED_NAMES: Readonly<Record<string, string>> = {
  mdat: 'MediaDataBox',
  free: 'FreeSpaceBox',
  skip: 'FreeSpaceBox',
  pdin: 'ProgressiveDownloadInfoBox',
  mfro: 'MovieFragmentRandomAccessOffsetBox',
  tfra: 'TrackFragmentRandomAccessBox',
  sgpd: 'SampleGroupDescriptionBox',
  sbgp: 'SampleToGroupBox',
};

for (const type of [...Object.keys(UNDECODED_NAMES), 'wide', 'uuid']) {
  typesByCode.set(fourccCodeOf(type), typeInfo(fourccCodeOf(type), type, undefined));
}

/** The type of a box by its 32-bit code (fourccCode of its header). */
export function boxType(code: number): BoxTypeInfo {
  const known = typesByCode.get(code);
  if (known) return known;
  const info = typeInfo(code, fourccName(code), undefined);
  if (typesByCode.size < MAX_REMEMBERED_TYPES) typesByCode.set(code, info);
  return info;
}

/** The spec of a box type; under 'stsd', unknown entries are parsed as the track's kind of sample entry. */
export function boxSpec(type: string, parentType: string | undefined, handler: string | undefined): BoxSpec | undefined {
  return specOrSampleEntry(byType.get(type), parentType, handler);
}

/** {@link boxSpec} for a type found with boxType. */
export function boxSpecIn(info: BoxTypeInfo, parentType: string | undefined, handler: string | undefined): BoxSpec | undefined {
  return info.spec ?? specOrSampleEntry(undefined, parentType, handler);
}

function specOrSampleEntry(spec: BoxSpec | undefined, parentType: string | undefined, handler: string | undefined): BoxSpec | undefined {
  if (spec || parentType !== 'stsd') return spec;
  if (handler === 'vide') return genericVisualSampleEntry;
  if (handler === 'soun') return genericAudioSampleEntry;
  return undefined;
}

/** The specification's name of a box type ('TrackHeaderBox', 'MediaDataBox'), or undefined for types it does not name. */
export function boxName(type: string): string | undefined {
  return byType.get(type)?.name ?? UNDECODED_NAMES[type];
}

/** Typed fields of a box when it has the given type. */
export function fieldsOf<T extends KnownBoxType>(box: Box | undefined, type: T): BoxFieldMap[T] | undefined {
  return box !== undefined && box.type === type && box.fields !== undefined ? (box.fields as BoxFieldMap[T]) : undefined;
}
