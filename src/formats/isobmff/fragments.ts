import type { Severity } from '../issues';
import type { TrackExtendsFields } from './boxes/mvex';
import { holds, payloadAfter, payloadAt, type Payload } from './mdatPayloads';
import { BufferViews, moofPartsOf, skimMoof, SkimScratch, type MoofParts, type RunParts, type TrafParts } from './moofParts';
import { SAMPLE_IS_NON_SYNC, SampleTableBuilder } from './samples';
import type { Track } from './tracks';
import type { Box } from './types';

/** One track's part of a movie fragment ('traf'). Times in the track timescale. */
export interface FragmentTrack {
  trackId: number;
  /** tfdt baseMediaDecodeTime, or when absent the end of the track's previous fragment. */
  baseDecodeTime: number;
  hasTfdt: boolean;
  sampleCount: number;
  /** Sum of the sample durations. */
  duration: number;
  /** Earliest dts + cto of the fragment's samples (before the edit-list shift); NaN with no samples. */
  earliestPresentationTime: number;
  firstSampleSync: boolean;
  /** Resolved sample_flags of the first sample. */
  firstSampleFlags: number;
  /** Absolute offset of the first sample's bytes, and the bytes of all samples. */
  dataOffset: number;
  dataSize: number;
  /** Index of the first sample in the track's sample table. */
  firstSample: number;
  /** Offset of the 'traf' box. */
  offset: number;
}

/** One movie fragment ('moof' and the 'mdat' after it). */
export interface Fragment {
  index: number;
  offset: number;
  size: number;
  /** mfhd sequence_number; -1 without mfhd. */
  sequenceNumber: number;
  mdat?: { offset: number; size: number };
  tracks: FragmentTrack[];
  box: Box;
}

export interface TrackState {
  track: Track;
  defaults?: TrackExtendsFields;
  /** Decode time where the next fragment continues when it has no tfdt. */
  nextDecodeTime: number;
  builder?: SampleTableBuilder;
  sampleCount: number;
  fragmentCount: number;
}

export interface FragmentContext {
  fileSize: number;
  withSamples: boolean;
  /** Makes a state for a track id that the moov (or init segment) did not describe. */
  unknownTrack(trackId: number, trafOffset: number): TrackState;
  report(severity: Severity, code: string, message: string, offset: number): void;
}

/** Where the samples of a track run put the track's timeline and data cursor. */
interface RunEnd {
  time: number;
  dataPos: number;
  /** Earliest presentation time among the run's samples (Infinity without samples). */
  ept: number;
  /** Resolved sample_flags of the run's first sample. */
  firstFlags: number;
}

/** A run's data whose mdat was not read yet when the run was (checked at the end). */
interface DataCheck {
  start: number;
  end: number;
  /** Offset of the trun. */
  trun: number;
}

/**
 * The movie fragments of a file, read while the walk goes on: give it the top-level moofs and mdats in
 * file order (`add`), then `finish`. Each moof is read when it comes, its samples appended to the tracks'
 * states; where its samples' data lies is checked when the box after it is known (usually its mdat).
 */
export class FragmentReader {
  readonly fragments: Fragment[] = [];
  private readonly mdats: Payload[] = [];
  /** The last fragment while the box after its moof is not known yet (its mdat, if one comes next). */
  private open: Fragment | undefined;
  /**
   * The data of the open fragment's runs, checked when the box after it is known: start, end and trun
   * offset, `openDataLength` numbers. (Lengths, not array lengths, here and for `tracks`: an array set to
   * length 0 gives up its storage, and the next moof would grow it again.)
   */
  private readonly openData: number[] = [];
  private openDataLength = 0;
  /** The moof `skim` read, which `add` then passes over. */
  private skimmed: Box | undefined;
  private readonly skimScratch = new SkimScratch();
  /** Views of the buffers the moofs' truns are read from (the source's, the walk's arena). */
  private readonly views = new BufferViews();
  private lastSequence = -1;
  private readonly dataChecks: DataCheck[] = [];
  /** appendRun's result (one object, reused). */
  private readonly runEnd: RunEnd = { time: 0, dataPos: 0, ept: Infinity, firstFlags: 0 };
  /** A fragment's tracks while they are read (copied out the exact size): reused from moof to moof. */
  private readonly tracks: FragmentTrack[] = [];
  /** How many more samples beyond what their data holds the walk keeps (plausibleCount). */
  private unbackedLeft = UNBACKED_SAMPLES;
  /** Where runs are decoded when no sample tables are kept (emptied before each run). */
  private scratch: SampleTableBuilder | undefined;

  constructor(
    private readonly states: Map<number, TrackState>,
    private readonly ctx: FragmentContext,
  ) {}

  /**
   * Reads a top-level moof from `bytes` (holding the whole box from bytes[at] on) before the walker adds
   * it, so the walker need not make its child boxes: false, with nothing read, when the moof is not of
   * the usual make (see skimMoof). `add` then passes over this moof.
   */
  skim(moof: Box, bytes: Uint8Array, at: number): boolean {
    const parts = skimMoof(moof, bytes, at, this.skimScratch, this.views);
    if (!parts) return false;
    this.close(undefined);
    this.readMoof(parts);
    this.skimmed = moof;
    return true;
  }

  /** A top-level box; only moofs (with their children, unless skimmed) and mdats matter. */
  add(box: Box): void {
    if (box.type === 'moof') {
      if (box === this.skimmed) {
        this.skimmed = undefined;
        return;
      }
      this.close(undefined);
      this.readMoof(moofPartsOf(box, this.views));
    } else if (box.type === 'mdat') {
      const mdat = { start: box.offset + box.headerSize, end: box.offset + box.size };
      this.mdats.push(mdat);
      this.close(box, mdat);
    }
  }

  /** Where the sample data of the open fragment ends: undefined when no fragment is open or it has no samples. */
  openDataEnd(): number | undefined {
    const tracks = this.open?.tracks;
    let end: number | undefined;
    // (Indexed: this runs for every mdat of a long file.)
    for (let i = 0; tracks && i < tracks.length; i++) {
      const track = tracks[i];
      if (track && track.dataSize > 0) end = Math.max(end ?? 0, track.dataOffset + track.dataSize);
    }
    return end;
  }

  /** After the last top-level box. */
  finish(): void {
    this.close(undefined);
    for (const { start, end, trun } of this.dataChecks) this.reportData(start, end, trun, payloadAt(this.mdats, start, end));
  }

  /** The box after the open fragment's moof is known: its mdat (`mdatBox`, payload `mdat`), or not one. */
  private close(mdatBox: Box | undefined, mdat?: Payload): void {
    const fragment = this.open;
    if (!fragment) return;
    this.open = undefined;
    if (mdatBox) fragment.mdat = { offset: mdatBox.offset, size: mdatBox.size };
    const data = this.openData;
    for (let i = 0; i + 2 < this.openDataLength; i += 3) this.checkData(data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, mdat);
    this.openDataLength = 0;
  }

  /** The fragment of a moof; it stays open until the box after the moof is known. */
  private readMoof(parts: MoofParts): void {
    const ctx = this.ctx;
    const moof = parts.moof;
    const index = this.fragments.length;
    const sequenceNumber = parts.sequenceNumber;
    if (parts.mfhdOffset < 0) ctx.report('warning', 'MFHD_MISSING', 'moof has no mfhd', moof.offset);
    else if (this.lastSequence >= 0 && sequenceNumber <= this.lastSequence) {
      ctx.report('warning', 'MFHD_SEQUENCE_NOT_INCREASING', `sequence_number ${sequenceNumber} after ${this.lastSequence}`, parts.mfhdOffset);
    }
    if (sequenceNumber >= 0) this.lastSequence = sequenceNumber;
    let dataEnd = moof.offset; // where a traf without base offset starts (end of the previous traf's data)
    const trafs = parts.trafs;
    const tracks = this.tracks;
    let trackCount = 0;
    for (let j = 0; j < parts.trafCount; j++) {
      const traf = trafs[j];
      const ft = traf && this.readTraf(traf, moof, dataEnd, index);
      if (ft) {
        tracks[trackCount++] = ft;
        dataEnd = ft.dataOffset + ft.dataSize;
      }
    }
    const fragment: Fragment = { index, offset: moof.offset, size: moof.size, sequenceNumber, tracks: tracks.slice(0, trackCount), box: moof };
    this.fragments.push(fragment);
    this.open = fragment;
  }

  /** One track's part of a fragment. */
  private readTraf(traf: TrafParts, moof: Box, previousEnd: number, fragmentIndex: number): FragmentTrack | undefined {
    const ctx = this.ctx;
    const trackId = traf.trackId;
    if (trackId === undefined) {
      ctx.report('error', 'TFHD_MISSING', 'traf has no tfhd: its samples cannot be placed', traf.offset);
      return undefined;
    }
    let state = this.states.get(trackId);
    if (!state) {
      state = ctx.unknownTrack(trackId, traf.offset);
      this.states.set(trackId, state);
    }
    const defaults = state.defaults;
    const defDuration = traf.defaultSampleDuration ?? defaults?.defaultSampleDuration ?? 0;
    const defSize = traf.defaultSampleSize ?? defaults?.defaultSampleSize ?? 0;
    const defFlags = traf.defaultSampleFlags ?? defaults?.defaultSampleFlags ?? 0;
    const base = traf.baseDataOffset ?? (traf.defaultBaseIsMoof ? moof.offset : previousEnd);
    const tfdtTime = traf.baseMediaDecodeTime;
    let time = tfdtTime ?? state.nextDecodeTime;
    if (tfdtTime !== undefined && state.fragmentCount > 0 && tfdtTime !== state.nextDecodeTime) {
      const gap = tfdtTime - state.nextDecodeTime;
      const { timescale } = state.track;
      const ms = timescale > 0 ? ` (${Number(((Math.abs(gap) * 1000) / timescale).toFixed(3))} ms)` : '';
      ctx.report('info', 'FRAGMENT_TIME_GAP', `track ${trackId}: tfdt ${tfdtTime} is ${Math.abs(gap)}${ms} ${gap > 0 ? 'after' : 'before'} the end of the previous fragment (${state.nextDecodeTime})`, traf.tfdtOffset);
    }
    const ft: FragmentTrack = {
      trackId, baseDecodeTime: time, hasTfdt: tfdtTime !== undefined, sampleCount: 0, duration: 0,
      earliestPresentationTime: NaN, firstSampleSync: false, firstSampleFlags: 0, dataOffset: base, dataSize: 0,
      firstSample: state.sampleCount, offset: traf.offset,
    };
    const builder = (ctx.withSamples ? state.builder : undefined) ?? this.emptyScratch();
    const out = this.runEnd;
    let dataPos = base;
    let firstRun = true;
    let ept = Infinity;
    const runs = traf.runs;
    for (let i = 0; i < traf.runCount; i++) {
      const run = runs[i];
      if (!run) continue;
      const trunOffset = run.offset;
      if (run.dataOffset !== undefined) dataPos = base + run.dataOffset;
      if (firstRun) ft.dataOffset = dataPos;
      const start = dataPos;
      const count = this.plausibleCount(run, defSize, dataPos, trunOffset);
      builder.reserve(count, dataPos, ctx.fileSize);
      appendRun(run, count, builder, time, dataPos, defDuration, defSize, defFlags, fragmentIndex, out);
      if (ft.sampleCount === 0 && count > 0) {
        ft.firstSampleFlags = out.firstFlags;
        ft.firstSampleSync = (out.firstFlags & SAMPLE_IS_NON_SYNC) === 0;
      }
      ft.sampleCount += count;
      state.sampleCount += count;
      time = out.time;
      dataPos = out.dataPos;
      if (out.ept < ept) ept = out.ept;
      if (count > 0) {
        const data = this.openData;
        data[this.openDataLength++] = start;
        data[this.openDataLength++] = dataPos;
        data[this.openDataLength++] = trunOffset;
      }
      firstRun = false;
    }
    ft.duration = time - ft.baseDecodeTime;
    ft.dataSize = dataPos - ft.dataOffset;
    ft.earliestPresentationTime = ept === Infinity ? NaN : ept;
    state.nextDecodeTime = time;
    state.fragmentCount++;
    return ft;
  }

  /**
   * A run without per-sample entries costs no bytes per sample, so a damaged count could ask for
   * billions of samples (and a few bytes more for each further trun): keep as many as the data after
   * `dataPos` holds, and beyond that at most UNBACKED_SAMPLES in the whole walk (a cut file, samples of
   * size 0).
   */
  private plausibleCount(run: RunParts, defSize: number, dataPos: number, trun: number): number {
    const n = run.entryCount;
    if (run.layout.size >= 0) return n;
    // (A data offset before the start of the file, damage, holds nothing.)
    const room = defSize > 0 ? Math.floor(Math.max(0, this.ctx.fileSize - Math.max(0, dataPos)) / defSize) : 0;
    if (n <= room) return n;
    const unbacked = Math.min(n - room, this.unbackedLeft);
    this.unbackedLeft -= unbacked;
    if (room + unbacked < n) {
      this.ctx.report('error', 'TRUN_SAMPLE_COUNT_IMPLAUSIBLE', `trun has ${n} samples of ${defSize} bytes; the data holds ${room}`, trun);
    }
    return room + unbacked;
  }

  private emptyScratch(): SampleTableBuilder {
    this.scratch ??= new SampleTableBuilder();
    this.scratch.count = 0;
    return this.scratch;
  }

  /**
   * Sample data must lie inside an mdat payload (and inside the file): usually the one after the moof;
   * data in an mdat not read yet is checked at the end.
   */
  private checkData(start: number, end: number, trun: number, mdat: Payload | undefined): void {
    if (end > this.ctx.fileSize) {
      this.ctx.report('error', 'SAMPLE_DATA_PAST_END', `trun samples end at ${end}, past the end of the data (${this.ctx.fileSize})`, trun);
      return;
    }
    const m = mdat && holds(mdat, start, end) ? mdat : payloadAt(this.mdats, start, end);
    if (m) this.reportData(start, end, trun, m);
    else this.dataChecks.push({ start, end, trun });
  }

  /** Reports data [start, end) that is not inside `m`, the mdat payload where it starts (if any). */
  private reportData(start: number, end: number, trun: number, m: Payload | undefined): void {
    if (!m) {
      // (ffmpeg's global_sidx writes the offsets, then inserts sidx boxes before them: all land that far early.)
      const next = payloadAfter(this.mdats, start);
      const nextData = next ? `; the next mdat's data starts ${next.start - start} bytes later, at ${next.start}` : '';
      this.ctx.report('warning', 'SAMPLE_DATA_OUTSIDE_MDAT', `trun samples at ${start} are not inside any mdat${nextData}`, trun);
    }
    else if (end > m.end) this.ctx.report('warning', 'SAMPLE_DATA_OUTSIDE_MDAT', `trun samples [${start}, ${end}) run past the mdat ending at ${m.end}`, trun);
  }
}

/** How many samples of runs without per-sample sizes a walk keeps beyond what the data after them holds. */
const UNBACKED_SAMPLES = 1 << 16;

/**
 * The hot path: a run's `n` entries appended to the table `b`, which has room for them. Written for V8's
 * baseline tier as much as for its optimiser (a file's samples are mostly read before V8 optimises this):
 * one pass for the durations and sizes and the times and offsets that follow from them; fills, not
 * per-sample stores, for what the run leaves to the defaults.
 *
 * Each per-sample loop is a function of its own: V8 optimises a function once the bytecode run in it
 * reaches a budget that grows with its size, and compiles it in the background in a time that grows with
 * it too, so small loop functions are optimised early in a walk (and quickly), where one function with
 * all the loops was optimised near its end.
 */
function appendRun(
  run: RunParts, n: number, b: SampleTableBuilder, time: number, dataPos: number,
  defDuration: number, defSize: number, defFlags: number, fragmentIndex: number, out: RunEnd,
): void {
  const first = b.count;
  const end = first + n;
  const view = run.view;
  const at = run.entriesAt;
  const layout = run.layout;
  const stride = layout.stride;
  out.time = time;
  out.dataPos = dataPos;
  if (layout.duration < 0 && layout.size >= 0) {
    // The usual run (ffmpeg's, KVS's): a size per sample, the duration from the defaults.
    b.duration.fill(defDuration, first, end);
    timesFromSizes(view, at + layout.size, stride, b.dts, b.offset, b.size, first, end, defDuration, out);
  } else {
    timesFromEntries(view, at, stride, layout.duration, layout.size, b, first, end, defDuration, defSize, out);
  }
  if (layout.flags >= 0) {
    flagsFromEntries(view, at + layout.flags, stride, b.flags, b.sync, first, end);
  } else {
    b.flags.fill(defFlags, first, end);
    b.sync.fill((defFlags & SAMPLE_IS_NON_SYNC) === 0 ? 1 : 0, first, end);
    if (n > 0 && run.firstSampleFlags !== undefined) {
      b.flags[first] = run.firstSampleFlags;
      b.sync[first] = (run.firstSampleFlags & SAMPLE_IS_NON_SYNC) === 0 ? 1 : 0;
    }
  }
  // Durations are unsigned: without composition offsets the first sample is the earliest.
  if (layout.compositionOffset >= 0) {
    out.ept = ctosFromEntries(view, at + layout.compositionOffset, stride, b.dts, b.cto, first, end);
  } else {
    b.cto.fill(0, first, end);
    out.ept = n > 0 ? (b.dts[first] ?? 0) : Infinity;
  }
  b.fragment.fill(fragmentIndex, first, end);
  b.count = end;
  out.firstFlags = n > 0 ? (b.flags[first] ?? 0) : defFlags;
}

/** Decode times and offsets of samples [first, end) from their sizes at view[p], p += stride; the durations are `duration`. */
function timesFromSizes(
  view: DataView, p: number, stride: number, dts: Float64Array, offset: Float64Array, size: Uint32Array,
  first: number, end: number, duration: number, out: RunEnd,
): void {
  let time = out.time;
  let dataPos = out.dataPos;
  for (let k = first; k < end; k++, p += stride) {
    const s = view.getUint32(p);
    dts[k] = time;
    offset[k] = dataPos;
    size[k] = s;
    time += duration;
    dataPos += s;
  }
  out.time = time;
  out.dataPos = dataPos;
}

/** The same from entries with a duration or a size or neither (at those offsets in the entry, or -1: the defaults). */
function timesFromEntries(
  view: DataView, at: number, stride: number, durationAt: number, sizeAt: number, b: SampleTableBuilder,
  first: number, end: number, defDuration: number, defSize: number, out: RunEnd,
): void {
  const { dts, duration, size, offset } = b;
  let time = out.time;
  let dataPos = out.dataPos;
  for (let k = first, p = at; k < end; k++, p += stride) {
    const d = durationAt >= 0 ? view.getUint32(p + durationAt) : defDuration;
    const s = sizeAt >= 0 ? view.getUint32(p + sizeAt) : defSize;
    dts[k] = time;
    duration[k] = d;
    offset[k] = dataPos;
    size[k] = s;
    time += d;
    dataPos += s;
  }
  out.time = time;
  out.dataPos = dataPos;
}

/** sample_flags of samples [first, end) from view[p], p += stride, and whether each is a sync sample. */
function flagsFromEntries(view: DataView, p: number, stride: number, flags: Uint32Array, sync: Uint8Array, first: number, end: number): void {
  for (let k = first; k < end; k++, p += stride) {
    const f = view.getUint32(p);
    flags[k] = f;
    sync[k] = (f & SAMPLE_IS_NON_SYNC) === 0 ? 1 : 0;
  }
}

/** Composition offsets of samples [first, end) from view[p], p += stride; the earliest dts + cto (Infinity without samples). */
function ctosFromEntries(view: DataView, p: number, stride: number, dts: Float64Array, cto: Int32Array, first: number, end: number): number {
  let ept = Infinity;
  for (let k = first; k < end; k++, p += stride) {
    const c = view.getInt32(p);
    cto[k] = c;
    const pts = (dts[k] ?? 0) + c;
    if (pts < ept) ept = pts;
  }
  return ept;
}
