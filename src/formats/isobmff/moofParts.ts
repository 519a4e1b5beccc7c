// What the fragment reader needs of a moof: its mfhd, and per traf the tfhd, tfdt and truns, with where
// they are (for issues). Got from the moof's child boxes (the walker decoded them), or read straight from
// the moof's bytes without making child boxes (`skimMoof`, for long files).
import type { Severity } from '../issues';
import { mfhd } from './boxes/mfhd';
import { tfdt, type TrackFragmentDecodeTimeFields } from './boxes/tfdt';
import { tfhd, type TrackFragmentHeaderFields } from './boxes/tfhd';
import { trun, type TrackRunFields } from './boxes/trun';
import type { BoxReader } from './reader';
import { boxType, fieldsOf } from './registry';
import type { Box, BoxContext, BoxSpec } from './types';

export interface TrafParts {
  /** Offset of the traf box. */
  offset: number;
  /** The first tfhd's fields, if any. */
  tfhd: TrackFragmentHeaderFields | undefined;
  /** The first tfdt's fields, if any, and its offset. */
  tfdt: TrackFragmentDecodeTimeFields | undefined;
  tfdtOffset: number;
  /** The decoded truns in box order, and their offsets. */
  truns: TrackRunFields[];
  trunOffsets: number[];
}

export interface MoofParts {
  moof: Box;
  /** mfhd sequence_number and offset; -1 for both without mfhd. */
  sequenceNumber: number;
  mfhdOffset: number;
  trafs: TrafParts[];
}

/** The parts of a moof whose children the walker decoded. */
export function moofPartsOf(moof: Box): MoofParts {
  const parts: MoofParts = { moof, sequenceNumber: -1, mfhdOffset: -1, trafs: [] };
  for (const child of moof.children ?? []) {
    if (child.type === 'mfhd' && parts.mfhdOffset < 0) {
      parts.mfhdOffset = child.offset;
      parts.sequenceNumber = fieldsOf(child, 'mfhd')?.sequenceNumber ?? -1;
    } else if (child.type === 'traf') {
      parts.trafs.push(trafPartsOf(child));
    }
  }
  return parts;
}

function trafPartsOf(traf: Box): TrafParts {
  const parts = emptyTraf(traf.offset);
  let tfhdBox: Box | undefined;
  let tfdtBox: Box | undefined;
  for (const child of traf.children ?? []) {
    if (child.type === 'tfhd') tfhdBox ??= child;
    else if (child.type === 'tfdt') tfdtBox ??= child;
    const run = fieldsOf(child, 'trun');
    if (run) {
      parts.truns.push(run);
      parts.trunOffsets.push(child.offset);
    }
  }
  parts.tfhd = fieldsOf(tfhdBox, 'tfhd');
  parts.tfdt = fieldsOf(tfdtBox, 'tfdt');
  if (parts.tfdt && tfdtBox) parts.tfdtOffset = tfdtBox.offset;
  return parts;
}

function emptyTraf(offset: number): TrafParts {
  return { offset, tfhd: undefined, tfdt: undefined, tfdtOffset: -1, truns: [], trunOffsets: [] };
}

/**
 * The traf parts skimMoof fills, kept from one moof to the next: a moof's parts are read before the next
 * moof is skimmed, and a long file has thousands of moofs.
 */
export class SkimScratch {
  readonly trafs: TrafParts[] = [];
  private readonly made: TrafParts[] = [];

  /** Parts for the next traf of the moof (the first one after `clear`). */
  traf(offset: number): TrafParts {
    let traf = this.made[this.trafs.length];
    if (traf) {
      traf.offset = offset;
      traf.tfhd = undefined;
      traf.tfdt = undefined;
      traf.tfdtOffset = -1;
      traf.truns.length = 0;
      traf.trunOffsets.length = 0;
    } else {
      traf = emptyTraf(offset);
      this.made.push(traf);
    }
    this.trafs.push(traf);
    return traf;
  }

  clear(): void {
    this.trafs.length = 0;
  }
}

const MFHD = 0x6d666864;
const TRAF = 0x74726166;
const TFHD = 0x74666864;
const TFDT = 0x74666474;
const TRUN = 0x7472756e;

/** The context skimMoof gives the box parsers: any issue they raise ends the skim (the walker reports it). */
class SkimContext implements BoxContext {
  type = '';
  offset = 0;
  size = 0;
  version = 0;
  flags = 0;
  readonly handler = undefined;
  failed = false;

  issue(_severity: Severity, _code: string, _message: string, _offset: number): void {
    this.failed = true;
  }
}

const skimContext = new SkimContext();

/**
 * The parts of a moof read from `r`, which holds the whole box: for a moof made only of well-formed
 * mfhd, trafs of tfhd, tfdt and truns, and boxes of types the walker does not decode, decoded by the same
 * parsers as in the walk. Undefined for anything else (a header or field out of place, a box the walker
 * would report): the walker then decodes the moof into child boxes, and reports what is wrong. The
 * parts' trafs are `scratch`'s, good until the next skim.
 */
export function skimMoof(moof: Box, r: BoxReader, scratch: SkimScratch): MoofParts | undefined {
  if (moof.truncated || moof.headerSize !== 8) return undefined;
  scratch.clear();
  const parts: MoofParts = { moof, sequenceNumber: -1, mfhdOffset: -1, trafs: scratch.trafs };
  const base = r.base;
  const end = moof.offset + moof.size - base;
  if (end > r.bytes.length) return undefined;
  const view = r.view;
  let traf: TrafParts | undefined;
  let trafEnd = -1;
  let at = moof.offset + 8 - base;
  while (at < end) {
    if (traf && at === trafEnd) traf = undefined;
    const limit = traf ? trafEnd : end;
    if (at + 8 > limit) return undefined;
    const size = view.getUint32(at);
    const code = view.getUint32(at + 4);
    if (size < 8 || at + size > limit) return undefined;
    if (!traf) {
      if (code === TRAF) {
        traf = scratch.traf(base + at);
        trafEnd = at + size;
        at += 8;
        continue;
      }
      if (code === MFHD) {
        const fields = parts.mfhdOffset < 0 ? parse(mfhd, r, at, size) : undefined;
        if (!fields) return undefined;
        parts.mfhdOffset = base + at;
        parts.sequenceNumber = fields.sequenceNumber;
      } else if (!ignorable(code)) {
        return undefined;
      }
    } else if (code === TRUN) {
      const run = parse(trun, r, at, size);
      if (!run) return undefined;
      traf.truns.push(run);
      traf.trunOffsets.push(base + at);
    } else if (code === TFHD) {
      traf.tfhd = traf.tfhd ? undefined : parse(tfhd, r, at, size);
      if (!traf.tfhd) return undefined;
    } else if (code === TFDT) {
      traf.tfdt = traf.tfdt ? undefined : parse(tfdt, r, at, size);
      if (!traf.tfdt) return undefined;
      traf.tfdtOffset = base + at;
    } else if (!ignorable(code)) {
      return undefined;
    }
    at += size;
  }
  return traf && at !== trafEnd ? undefined : parts;
}

/** A box of a printable type the walker does not decode: a leaf it makes without a word. */
function ignorable(code: number): boolean {
  const info = boxType(code);
  return info.plain && info.spec === undefined;
}

/** A full box at r.bytes[at, at + size) decoded by its parser; undefined when it would raise an issue. */
function parse<F>(spec: BoxSpec<F>, r: BoxReader, at: number, size: number): F | undefined {
  const parseFields = spec.parse;
  if (!parseFields || size < 12) return undefined;
  const bytes = r.bytes;
  const ctx = skimContext;
  ctx.type = spec.type;
  ctx.offset = r.base + at;
  ctx.size = size;
  ctx.version = bytes[at + 8] ?? 0;
  ctx.flags = ((bytes[at + 9] ?? 0) << 16) | ((bytes[at + 10] ?? 0) << 8) | (bytes[at + 11] ?? 0);
  ctx.failed = false;
  r.reset(at + 12, at + size);
  try {
    const fields = parseFields(r, ctx);
    return ctx.failed || r.overrun ? undefined : fields;
  } catch {
    return undefined; // the walker reports it
  }
}
