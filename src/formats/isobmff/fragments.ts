import type { Severity } from '../issues';
import type { TrackExtendsFields } from './boxes/mvex';
import type { TrackRunFields } from './boxes/trun';
import { childBox } from './find';
import { fieldsOf } from './registry';
import { SAMPLE_IS_NON_SYNC, type SampleTableBuilder } from './samples';
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
  /** The 'traf' box. */
  box: Box;
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
  unknownTrack(trackId: number, traf: Box): TrackState;
  report(severity: Severity, code: string, message: string, offset: number): void;
}

interface Range {
  start: number;
  end: number;
}

/** Every movie fragment of a top-level box list, with per-track samples appended to the states. */
export function readFragments(boxes: readonly Box[], states: Map<number, TrackState>, ctx: FragmentContext): Fragment[] {
  const fragments: Fragment[] = [];
  const mdats: Range[] = [];
  for (const b of boxes) if (b.type === 'mdat') mdats.push({ start: b.offset + b.headerSize, end: b.offset + b.size });
  let lastSequence = -1;
  for (let i = 0; i < boxes.length; i++) {
    const moof = boxes[i];
    if (!moof || moof.type !== 'moof') continue;
    const mfhd = childBox(moof, 'mfhd');
    const sequenceNumber = fieldsOf(mfhd, 'mfhd')?.sequenceNumber ?? -1;
    if (!mfhd) ctx.report('warning', 'MFHD_MISSING', 'moof has no mfhd', moof.offset);
    else if (lastSequence >= 0 && sequenceNumber <= lastSequence) {
      ctx.report('warning', 'MFHD_SEQUENCE_NOT_INCREASING', `sequence_number ${sequenceNumber} after ${lastSequence}`, mfhd.offset);
    }
    if (sequenceNumber >= 0) lastSequence = sequenceNumber;
    const fragment: Fragment = { index: fragments.length, offset: moof.offset, size: moof.size, sequenceNumber, tracks: [], box: moof };
    for (let j = i + 1; j < boxes.length; j++) {
      const next = boxes[j];
      if (!next || next.type === 'moof') break;
      if (next.type === 'mdat') {
        fragment.mdat = { offset: next.offset, size: next.size };
        break;
      }
    }
    let dataEnd = moof.offset; // where a traf without base offset starts (end of the previous traf's data)
    for (const traf of moof.children ?? []) {
      if (traf.type !== 'traf') continue;
      const ft = readTraf(traf, moof, dataEnd, fragment.index, states, mdats, ctx);
      if (ft) {
        fragment.tracks.push(ft);
        dataEnd = ft.dataOffset + ft.dataSize;
      }
    }
    fragments.push(fragment);
  }
  return fragments;
}

function readTraf(
  traf: Box, moof: Box, previousEnd: number, fragmentIndex: number,
  states: Map<number, TrackState>, mdats: readonly Range[], ctx: FragmentContext,
): FragmentTrack | undefined {
  const tfhdBox = childBox(traf, 'tfhd');
  const tfhd = fieldsOf(tfhdBox, 'tfhd');
  if (!tfhd) {
    ctx.report('error', 'TFHD_MISSING', 'traf has no tfhd: its samples cannot be placed', traf.offset);
    return undefined;
  }
  let state = states.get(tfhd.trackId);
  if (!state) {
    state = ctx.unknownTrack(tfhd.trackId, traf);
    states.set(tfhd.trackId, state);
  }
  const defaults = state.defaults;
  const defDuration = tfhd.defaultSampleDuration ?? defaults?.defaultSampleDuration ?? 0;
  const defSize = tfhd.defaultSampleSize ?? defaults?.defaultSampleSize ?? 0;
  const defFlags = tfhd.defaultSampleFlags ?? defaults?.defaultSampleFlags ?? 0;
  const base = tfhd.baseDataOffset ?? (tfhd.defaultBaseIsMoof ? moof.offset : previousEnd);
  const tfdtBox = childBox(traf, 'tfdt');
  const tfdt = fieldsOf(tfdtBox, 'tfdt');
  let time = tfdt ? tfdt.baseMediaDecodeTime : state.nextDecodeTime;
  if (tfdt && tfdtBox && state.fragmentCount > 0 && tfdt.baseMediaDecodeTime !== state.nextDecodeTime) {
    const gap = tfdt.baseMediaDecodeTime - state.nextDecodeTime;
    ctx.report('info', 'FRAGMENT_TIME_GAP', `track ${tfhd.trackId}: tfdt ${tfdt.baseMediaDecodeTime} is ${gap > 0 ? 'after' : 'before'} the end of the previous fragment (${state.nextDecodeTime}) by ${Math.abs(gap)}`, tfdtBox.offset);
  }
  const ft: FragmentTrack = {
    trackId: tfhd.trackId, baseDecodeTime: time, hasTfdt: tfdt !== undefined, sampleCount: 0, duration: 0,
    earliestPresentationTime: NaN, firstSampleSync: false, firstSampleFlags: 0, dataOffset: base, dataSize: 0,
    firstSample: state.sampleCount, box: traf,
  };
  let dataPos = base;
  let firstRun = true;
  let ept = Infinity;
  for (const child of traf.children ?? []) {
    if (child.type !== 'trun') continue;
    const run = fieldsOf(child, 'trun');
    if (!run) continue;
    if (run.dataOffset !== undefined) dataPos = base + run.dataOffset;
    if (firstRun) ft.dataOffset = dataPos;
    const start = dataPos;
    const count = plausibleCount(run, defSize, dataPos, ctx, child);
    const b = ctx.withSamples ? state.builder : undefined;
    const out = appendRun(run, count, b, time, dataPos, defDuration, defSize, defFlags, fragmentIndex);
    if (ft.sampleCount === 0 && count > 0) {
      ft.firstSampleFlags = out.firstFlags;
      ft.firstSampleSync = (out.firstFlags & SAMPLE_IS_NON_SYNC) === 0;
    }
    ft.sampleCount += count;
    state.sampleCount += count;
    time = out.time;
    dataPos = out.dataPos;
    if (out.ept < ept) ept = out.ept;
    if (count > 0) checkData(start, dataPos, mdats, ctx, child);
    firstRun = false;
  }
  ft.duration = time - ft.baseDecodeTime;
  ft.dataSize = dataPos - ft.dataOffset;
  ft.earliestPresentationTime = ept === Infinity ? NaN : ept;
  state.nextDecodeTime = time;
  state.fragmentCount++;
  return ft;
}

interface RunResult {
  time: number;
  dataPos: number;
  ept: number;
  firstFlags: number;
}

/** Runs without per-sample sizes beyond this many samples must fit in the data that follows. */
const UNBACKED_SAMPLES = 1 << 16;

/**
 * A run without per-sample entries costs no bytes per sample, so a damaged count could ask for
 * billions of samples: beyond 65536, keep only as many as the data after `dataPos` can hold.
 */
function plausibleCount(run: TrackRunFields, defSize: number, dataPos: number, ctx: FragmentContext, trun: Box): number {
  const n = run.entryCount;
  if (run.sizes || n <= UNBACKED_SAMPLES) return n;
  const room = defSize > 0 ? Math.floor(Math.max(0, ctx.fileSize - dataPos) / defSize) : 0;
  const cap = Math.max(UNBACKED_SAMPLES, room);
  if (n <= cap) return n;
  ctx.report('error', 'TRUN_SAMPLE_COUNT_IMPLAUSIBLE', `trun declares ${n} samples of ${defSize} bytes; the data holds ${room}`, trun.offset);
  return cap;
}

/** The hot loop: one pass over a run's samples, resolving defaults, into the track's typed arrays. */
function appendRun(
  run: TrackRunFields, n: number, b: SampleTableBuilder | undefined, time: number, dataPos: number,
  defDuration: number, defSize: number, defFlags: number, fragmentIndex: number,
): RunResult {
  const durs = run.durations;
  const sizes = run.sizes;
  const flags = run.sampleFlags;
  const ctos = run.compositionOffsets;
  const first = run.firstSampleFlags;
  let ept = Infinity;
  let firstFlags = defFlags;
  if (b) b.reserve(n);
  let k = b ? b.count : 0;
  for (let i = 0; i < n; i++, k++) {
    const d = durs ? (durs[i] ?? 0) : defDuration;
    const s = sizes ? (sizes[i] ?? 0) : defSize;
    const f = flags ? (flags[i] ?? 0) : i === 0 && first !== undefined ? first : defFlags;
    const c = ctos ? (ctos[i] ?? 0) : 0;
    const pts = time + c;
    if (pts < ept) ept = pts;
    if (b) {
      b.dts[k] = time;
      b.cto[k] = c;
      b.duration[k] = d;
      b.size[k] = s;
      b.offset[k] = dataPos;
      b.flags[k] = f;
      b.sync[k] = (f & SAMPLE_IS_NON_SYNC) === 0 ? 1 : 0;
      b.fragment[k] = fragmentIndex;
    }
    if (i === 0) firstFlags = f;
    time += d;
    dataPos += s;
  }
  if (b) b.count = k;
  return { time, dataPos, ept, firstFlags };
}

/** Sample data must lie inside an mdat payload (and inside the file). */
function checkData(start: number, end: number, mdats: readonly Range[], ctx: FragmentContext, trun: Box): void {
  if (end > ctx.fileSize) {
    ctx.report('error', 'SAMPLE_DATA_PAST_END', `trun samples end at ${end}, past the end of the data (${ctx.fileSize})`, trun.offset);
    return;
  }
  let lo = 0;
  let hi = mdats.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = mdats[mid];
    if (!m) break;
    if (start < m.start) hi = mid - 1;
    else if (start >= m.end && !(start === m.end && end === start)) lo = mid + 1;
    else {
      if (end > m.end) ctx.report('warning', 'SAMPLE_DATA_OUTSIDE_MDAT', `trun samples [${start}, ${end}) run past the mdat ending at ${m.end}`, trun.offset);
      return;
    }
  }
  ctx.report('warning', 'SAMPLE_DATA_OUTSIDE_MDAT', `trun samples at ${start} are not inside any mdat`, trun.offset);
}
