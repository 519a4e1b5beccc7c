// What the fragment reader needs of a moof: its mfhd, and per traf the tfhd, tfdt and truns, with where
// they are (for issues). Got from the moof's child boxes (the walker decoded them), or read straight from
// the moof's bytes without making child boxes (`skimMoof`, for long files).
import {
  TFHD_BASE_DATA_OFFSET, TFHD_DEFAULT_BASE_IS_MOOF, TFHD_DEFAULT_SAMPLE_DURATION, TFHD_DEFAULT_SAMPLE_FLAGS,
  TFHD_DEFAULT_SAMPLE_SIZE, TFHD_SAMPLE_DESCRIPTION_INDEX,
} from './boxes/tfhd';
import { layoutOf, MAX_RUN_SAMPLES, TRUN_DATA_OFFSET, TRUN_FIRST_SAMPLE_FLAGS, type TrackRunFields, type TrackRunLayout } from './boxes/trun';
import { uint64 } from './reader';
import { boxType, fieldsOf } from './registry';
import type { Box } from './types';

/** What the fragment reader uses of a trun: its fields, and where its entries are (as an index into a view). */
export interface RunParts {
  /** Offset of the trun box. */
  offset: number;
  /** Samples whose entries are present. */
  entryCount: number;
  layout: TrackRunLayout;
  dataOffset: number | undefined;
  firstSampleFlags: number | undefined;
  /** The entries: `entryCount` of `layout.stride` bytes from view[entriesAt]. */
  view: DataView;
  entriesAt: number;
}

/**
 * What the fragment reader uses of a traf, as values (a long file has thousands of trafs; no object per
 * tfhd or tfdt).
 */
export interface TrafParts {
  /** Offset of the traf box. */
  offset: number;
  /** The first tfhd's track_ID, undefined without tfhd, and the fields of it that place the samples. */
  trackId: number | undefined;
  baseDataOffset: number | undefined;
  defaultBaseIsMoof: boolean;
  defaultSampleDuration: number | undefined;
  defaultSampleSize: number | undefined;
  defaultSampleFlags: number | undefined;
  /** The first tfdt's baseMediaDecodeTime, undefined without tfdt, and its offset. */
  baseMediaDecodeTime: number | undefined;
  tfdtOffset: number;
  /** The truns in box order: the first `runCount`. */
  runs: RunParts[];
  runCount: number;
}

export interface MoofParts {
  moof: Box;
  /** mfhd sequence_number and offset; -1 for both without mfhd. */
  sequenceNumber: number;
  mfhdOffset: number;
  /** The first `trafCount`. */
  trafs: TrafParts[];
  trafCount: number;
}

/**
 * The parts of a moof whose children the walker decoded. The truns' entries are read through
 * `views`, one view per buffer they are kept in (the walk's arena chunks).
 */
export function moofPartsOf(moof: Box, views: BufferViews): MoofParts {
  const parts: MoofParts = { moof, sequenceNumber: -1, mfhdOffset: -1, trafs: [], trafCount: 0 };
  for (const child of moof.children ?? []) {
    if (child.type === 'mfhd' && parts.mfhdOffset < 0) {
      parts.mfhdOffset = child.offset;
      parts.sequenceNumber = fieldsOf(child, 'mfhd')?.sequenceNumber ?? -1;
    } else if (child.type === 'traf') {
      parts.trafs[parts.trafCount++] = trafPartsOf(child, views);
    }
  }
  return parts;
}

function trafPartsOf(traf: Box, views: BufferViews): TrafParts {
  const parts = emptyTraf(traf.offset);
  let tfhdBox: Box | undefined;
  let tfdtBox: Box | undefined;
  for (const child of traf.children ?? []) {
    if (child.type === 'tfhd') tfhdBox ??= child;
    else if (child.type === 'tfdt') tfdtBox ??= child;
    const run = fieldsOf(child, 'trun');
    if (run) parts.runs[parts.runCount++] = runPartsOf(run, child.offset, views);
  }
  const tfhd = fieldsOf(tfhdBox, 'tfhd');
  if (tfhd) {
    parts.trackId = tfhd.trackId;
    parts.baseDataOffset = tfhd.baseDataOffset;
    parts.defaultBaseIsMoof = tfhd.defaultBaseIsMoof;
    parts.defaultSampleDuration = tfhd.defaultSampleDuration;
    parts.defaultSampleSize = tfhd.defaultSampleSize;
    parts.defaultSampleFlags = tfhd.defaultSampleFlags;
  }
  const tfdt = fieldsOf(tfdtBox, 'tfdt');
  if (tfdt && tfdtBox) {
    parts.baseMediaDecodeTime = tfdt.baseMediaDecodeTime;
    parts.tfdtOffset = tfdtBox.offset;
  }
  return parts;
}

function emptyTraf(offset: number): TrafParts {
  return {
    offset, trackId: undefined, baseDataOffset: undefined, defaultBaseIsMoof: false, defaultSampleDuration: undefined,
    defaultSampleSize: undefined, defaultSampleFlags: undefined, baseMediaDecodeTime: undefined, tfdtOffset: -1,
    runs: [], runCount: 0,
  };
}

function runPartsOf(run: TrackRunFields, offset: number, views: BufferViews): RunParts {
  const { entries } = run;
  return {
    offset, entryCount: run.entryCount, layout: run.layout, dataOffset: run.dataOffset, firstSampleFlags: run.firstSampleFlags,
    view: views.of(entries.buffer), entriesAt: entries.byteOffset,
  };
}

/**
 * A view of a whole buffer, the same one while the buffer is: the moofs a walk skims come from one (the
 * source's), the truns the walker decodes mostly from one (an arena chunk).
 */
export class BufferViews {
  private view: DataView | undefined;

  of(buffer: ArrayBufferLike): DataView {
    if (this.view?.buffer !== buffer) this.view = new DataView(buffer);
    return this.view;
  }
}

/**
 * The parts skimMoof fills, kept from one moof to the next: a moof's parts are read before the next moof
 * is skimmed, and a long file has thousands of moofs. (Counts, not array lengths, say how many entries
 * are in use: an array set to length 0 gives up its storage, and the next moof would grow it again.)
 */
export class SkimScratch {
  private parts: MoofParts | undefined;

  /** The parts, emptied, for `moof`. */
  start(moof: Box): MoofParts {
    const parts = (this.parts ??= { moof, sequenceNumber: -1, mfhdOffset: -1, trafs: [], trafCount: 0 });
    parts.moof = moof;
    parts.sequenceNumber = -1;
    parts.mfhdOffset = -1;
    parts.trafCount = 0;
    return parts;
  }
}

/** Parts for the next traf of a moof: emptied ones an earlier moof left in `parts.trafs`, or new ones. */
function nextTraf(parts: MoofParts, offset: number): TrafParts {
  let traf = parts.trafs[parts.trafCount];
  if (traf) {
    // The tfhd's other values are read only with a trackId, and written with it.
    traf.offset = offset;
    traf.trackId = undefined;
    traf.baseMediaDecodeTime = undefined;
    traf.tfdtOffset = -1;
    traf.runCount = 0;
  } else {
    traf = emptyTraf(offset);
    parts.trafs[parts.trafCount] = traf;
  }
  parts.trafCount++;
  return traf;
}

/** Parts for the next trun of a traf, reused like the traf's. */
function nextRun(traf: TrafParts, offset: number, view: DataView): RunParts {
  let run = traf.runs[traf.runCount];
  if (run) {
    run.offset = offset;
    run.view = view;
  } else {
    run = { offset, entryCount: 0, layout: layoutOf(0), dataOffset: undefined, firstSampleFlags: undefined, view, entriesAt: 0 };
    traf.runs[traf.runCount] = run;
  }
  traf.runCount++;
  return run;
}

const MFHD = 0x6d666864;
const TRAF = 0x74726166;
const TFHD = 0x74666864;
const TFDT = 0x74666474;
const TRUN = 0x7472756e;

/**
 * The parts of a moof read from `bytes`, which hold the whole box from bytes[at] on: for a moof made only
 * of well-formed mfhd, trafs of tfhd, tfdt and truns, and boxes of types the walker does not decode.
 * Undefined for anything else (a header or field out of place, a box the walker would report): the
 * walker then decodes the moof into child boxes, and reports what is wrong. The parts are `scratch`'s,
 * good until the next skim; the truns' entries are in `bytes`' buffer (read through `views`), to be read
 * before the source's buffer changes.
 *
 * mfhd, tfhd, tfdt and trun are read here rather than by their registry parsers (boxes/*.ts), on
 * purpose: the same fields from the same layout, without a BoxReader, a context and a call per field,
 * which is about a tenth of a long file's inspection. moofSkim.test.ts checks that both read the same.
 */
export function skimMoof(moof: Box, bytes: Uint8Array, at: number, scratch: SkimScratch, views: BufferViews): MoofParts | undefined {
  if (moof.truncated || moof.headerSize !== 8) return undefined;
  // Positions below are in the view of the whole buffer.
  const start = bytes.byteOffset + at;
  const end = start + moof.size;
  if (end > bytes.byteOffset + bytes.length) return undefined;
  const base = moof.offset - start; // the offset in the file of the buffer's first byte
  const parts = scratch.start(moof);
  const view = views.of(bytes.buffer);
  let traf: TrafParts | undefined;
  let trafEnd = -1;
  let p = start + 8;
  while (p < end) {
    if (traf && p === trafEnd) traf = undefined;
    const limit = traf ? trafEnd : end;
    if (p + 8 > limit) return undefined;
    const size = view.getUint32(p);
    const code = view.getUint32(p + 4);
    if (size < 8 || p + size > limit) return undefined;
    if (!traf) {
      if (code === TRAF) {
        traf = nextTraf(parts, base + p);
        trafEnd = p + size;
        p += 8;
        continue;
      }
      if (code === MFHD) {
        if (parts.mfhdOffset >= 0 || size < 16) return undefined;
        parts.mfhdOffset = base + p;
        parts.sequenceNumber = view.getUint32(p + 12);
      } else if (!ignorable(code)) {
        return undefined;
      }
    } else if (code === TRUN) {
      if (!readTrun(view, p, size, nextRun(traf, base + p, view))) return undefined;
    } else if (code === TFHD) {
      if (traf.trackId !== undefined || !readTfhd(view, p, size, traf)) return undefined;
    } else if (code === TFDT) {
      if (traf.baseMediaDecodeTime !== undefined || !readTfdt(view, p, size, traf)) return undefined;
      traf.tfdtOffset = base + p;
    } else if (!ignorable(code)) {
      return undefined;
    }
    p += size;
  }
  return traf && p !== trafEnd ? undefined : parts;
}

/** A box of a printable type the walker does not decode: a leaf it makes without a word. */
function ignorable(code: number): boolean {
  const info = boxType(code);
  return info.plain && info.spec === undefined;
}

/** The tfhd at view[at, at + size) into `traf`, as the tfhd parser reads it; false when cut short. */
function readTfhd(view: DataView, at: number, size: number, traf: TrafParts): boolean {
  if (size < 16) return false;
  const flags = view.getUint32(at + 8) & 0xffffff;
  const end = at + size;
  let p = at + 16;
  let baseDataOffset: number | undefined;
  let defaultSampleDuration: number | undefined;
  let defaultSampleSize: number | undefined;
  let defaultSampleFlags: number | undefined;
  if (flags & TFHD_BASE_DATA_OFFSET) {
    if (p + 8 > end) return false;
    baseDataOffset = uint64(view.getUint32(p), view.getUint32(p + 4));
    p += 8;
  }
  if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX) {
    if (p + 4 > end) return false;
    p += 4;
  }
  if (flags & TFHD_DEFAULT_SAMPLE_DURATION) {
    if (p + 4 > end) return false;
    defaultSampleDuration = view.getUint32(p);
    p += 4;
  }
  if (flags & TFHD_DEFAULT_SAMPLE_SIZE) {
    if (p + 4 > end) return false;
    defaultSampleSize = view.getUint32(p);
    p += 4;
  }
  if (flags & TFHD_DEFAULT_SAMPLE_FLAGS) {
    if (p + 4 > end) return false;
    defaultSampleFlags = view.getUint32(p);
  }
  traf.trackId = view.getUint32(at + 12);
  traf.baseDataOffset = baseDataOffset;
  traf.defaultBaseIsMoof = (flags & TFHD_DEFAULT_BASE_IS_MOOF) !== 0;
  traf.defaultSampleDuration = defaultSampleDuration;
  traf.defaultSampleSize = defaultSampleSize;
  traf.defaultSampleFlags = defaultSampleFlags;
  return true;
}

/** The tfdt at view[at, at + size) into `traf`, as the tfdt parser reads it; false when cut short. */
function readTfdt(view: DataView, at: number, size: number, traf: TrafParts): boolean {
  if (size < 16) return false;
  if (view.getUint8(at + 8) !== 1) traf.baseMediaDecodeTime = view.getUint32(at + 12);
  else if (size < 20) return false;
  else traf.baseMediaDecodeTime = uint64(view.getUint32(at + 12), view.getUint32(at + 16));
  return true;
}

/**
 * The trun at view[at, at + size) into `run`, as the trun parser reads it; false when cut short or when
 * the parser would report its sample count.
 */
function readTrun(view: DataView, at: number, size: number, run: RunParts): boolean {
  if (size < 16) return false;
  const flags = view.getUint32(at + 8) & 0xffffff;
  const sampleCount = view.getUint32(at + 12);
  const end = at + size;
  let p = at + 16;
  let dataOffset: number | undefined;
  let firstSampleFlags: number | undefined;
  if (flags & TRUN_DATA_OFFSET) {
    if (p + 4 > end) return false;
    dataOffset = view.getInt32(p);
    p += 4;
  }
  if (flags & TRUN_FIRST_SAMPLE_FLAGS) {
    if (p + 4 > end) return false;
    firstSampleFlags = view.getUint32(p);
    p += 4;
  }
  const layout = layoutOf(flags);
  // Entries filling the box exactly: any other count is for the trun parser to report.
  if (p + sampleCount * layout.stride !== end || (layout.stride === 0 && sampleCount > MAX_RUN_SAMPLES)) return false;
  run.entryCount = sampleCount;
  run.layout = layout;
  run.dataOffset = dataOffset;
  run.firstSampleFlags = firstSampleFlags;
  run.entriesAt = p;
  return true;
}
