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
import { avcC, hvcC, btrt, pasp, colr, frma } from './boxes/codecConfig';
import { esds } from './boxes/esds';
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
import type { Box, BoxSpec } from './types';

const specs = [
  ...Object.values(containers),
  ftyp, styp, mvhd, tkhd, mdhd, hdlr, vmhd, smhd, nmhd, sthd,
  stsd, dref, url, meta,
  avc1, avc3, hvc1, hev1, mp4v, encv, mp4a, enca,
  avcC, hvcC, btrt, pasp, colr, frma, esds,
  elst, trex, mehd,
  stts, ctts, stsc, stsz, stz2, stco, co64, stss,
  mfhd, tfhd, tfdt, trun, sidx, emsg, prft,
] as const;

type Spec = (typeof specs)[number];

/** Box type → decoded fields type, e.g. `BoxFieldMap['tkhd']` is `TrackHeaderFields`. */
export type BoxFieldMap = { [S in Spec as S['type']]: S extends BoxSpec<infer F> ? F : never };
export type KnownBoxType = keyof BoxFieldMap;

const byType = new Map<string, BoxSpec>(specs.map((s) => [s.type, s as BoxSpec]));

/** The spec of a box type; under 'stsd', unknown entries are parsed as the track's kind of sample entry. */
export function boxSpec(type: string, parentType: string | undefined, handler: string | undefined): BoxSpec | undefined {
  const spec = byType.get(type);
  if (spec || parentType !== 'stsd') return spec;
  if (handler === 'vide') return genericVisualSampleEntry;
  if (handler === 'soun') return genericAudioSampleEntry;
  return undefined;
}

/** The name of a box type from its spec ('TrackHeaderBox'), or undefined for unregistered types. */
export function boxName(type: string): string | undefined {
  return byType.get(type)?.name;
}

/** Typed fields of a box when it has the given type. */
export function fieldsOf<T extends KnownBoxType>(box: Box | undefined, type: T): BoxFieldMap[T] | undefined {
  return box !== undefined && box.type === type && box.fields !== undefined ? (box.fields as BoxFieldMap[T]) : undefined;
}
