// From a Matroska Cluster (one KVS fragment) to per-track sample lists for the packaging writers.
//
// Matroska carries presentation times only, blocks in decode order. For H.264/H.265 the decode times
// are derived the way packagers do it: the fragment's presentation times, sorted, are handed out in
// decode order, then all shifted back by the smallest amount that keeps every DTS ≤ its PTS (the
// reorder delay, e.g. one or two frame durations with B-frames; 0 without reordering, DTS = PTS). The
// shift is computed per fragment, so with B-frames a fragment's first DTS lies that much before its
// first PTS (below 0 for a stream starting at 0; KVS producer timestamps are epoch milliseconds).
//
// Durations come from the next sample's decode time; the last sample of a fragment gets the track's
// nominal frame duration (Matroska DefaultDuration, SPS frame rate, 1024 AAC samples, G.711 byte
// count), else the previous sample's duration.
//
// Audio frames with a known length (AAC, G.711) are snapped onto their sample grid: Matroska stores
// times cut to the TimestampScale tick (1 ms for KVS; producers and ffmpeg truncate), so a run of
// frames whose stored times all lie within one tick below one grid gets that grid: exact frame
// durations (1024 samples), each time less than a tick after the stored one. A jump or gap in the
// stored times starts a new run.
import { bytesSource } from '../byteSource';
import type { Issue } from '../issues';
import { issue } from '../issues';
import { readBlockFrames } from '../matroska/blockFrames';
import { BlockFlag } from '../matroska/blockTable';
import type { MatroskaFile } from '../matroska/model';
import { readMatroska } from '../matroska/readMatroska';
import type { PackagingSample, PackagingTrack } from './types';

export interface ClusterSamplesOptions {
  /** Nanoseconds per Matroska tick; default: the segment's TimestampScale (1,000,000 for bare cluster bytes). */
  timestampScale?: number;
  /** Added to every time, e.g. the producer start time for clusters with RELATIVE timecodes. */
  timeOffsetMs?: number;
}

export interface FragmentSamples {
  /** Samples per track number, in decode order; every track passed in has an entry (maybe empty). */
  samples: Map<number, PackagingSample[]>;
  issues: Issue[];
}

interface RawFrame {
  /** Stored time in ms; undefined for laced frames after the first. */
  timeMs: number | undefined;
  key: boolean;
  data: Uint8Array;
  blockOffset: number;
}

/**
 * The samples of one cluster of `file` (read from `bytes` with readMatroska), for the given tracks.
 * Sample data are views into `bytes` (not copies). Blocks of tracks not listed are skipped.
 */
export function clusterSamples(
  bytes: Uint8Array,
  file: MatroskaFile,
  clusterIndex: number,
  tracks: readonly PackagingTrack[],
  options: ClusterSamplesOptions = {},
): FragmentSamples {
  const issues: Issue[] = [];
  const samples = new Map<number, PackagingSample[]>();
  for (const track of tracks) samples.set(track.trackNumber, []);
  const cluster = file.clusters[clusterIndex];
  if (!cluster) {
    issues.push(issue('error', 'PACKAGE_NO_CLUSTER', `There is no cluster ${clusterIndex} (the input has ${file.clusters.length}).`, 0));
    return { samples, issues };
  }
  const segment = file.documents.flatMap((d) => d.segments).find((s) => s.index === cluster.segmentIndex);
  const scale = options.timestampScale ?? segment?.info.timestampScale ?? 1_000_000;
  const offsetMs = options.timeOffsetMs ?? 0;
  const source = bytesSource(bytes);
  const table = file.blocks;
  const raw = new Map<number, RawFrame[]>();
  for (const track of tracks) raw.set(track.trackNumber, []);

  for (let b = cluster.firstBlock; b < cluster.endBlock; b++) {
    const frames = raw.get(table.track[b] ?? -1);
    if (!frames) continue;
    const timeMs = ((table.timecode[b] ?? 0) * scale) / 1e6 + offsetMs;
    const key = ((table.flags[b] ?? 0) & BlockFlag.Key) !== 0;
    const blockOffset = table.offset[b] ?? 0;
    const refs = readBlockFrames(source, table, b);
    if (refs.length === 0) {
      issues.push(issue('warning', 'PACKAGE_UNREADABLE_BLOCK', `The block at offset ${blockOffset} could not be read; it is left out.`, blockOffset));
      continue;
    }
    refs.forEach((ref, k) => {
      const end = Math.min(bytes.length, ref.offset + ref.size);
      if (end < ref.offset + ref.size) {
        issues.push(issue('warning', 'PACKAGE_TRUNCATED_FRAME', `A frame of the block at offset ${blockOffset} is cut off by the end of the input.`, blockOffset));
      }
      frames.push({ timeMs: k === 0 ? timeMs : undefined, key, data: bytes.subarray(Math.min(ref.offset, end), end), blockOffset });
    });
  }

  for (const track of tracks) {
    const frames = raw.get(track.trackNumber) ?? [];
    if (frames.length === 0) continue;
    const out = track.kind === 'video' ? videoSamples(track, frames, issues) : audioSamples(track, frames, scale / 1e6);
    samples.set(track.trackNumber, out);
  }
  return { samples, issues };
}

/**
 * The samples of one KVS fragment given as bytes: a bare Cluster element as KVS Local stores it, or a
 * whole MKV document (EBML header, Segment, Tracks, one Cluster) as GetMediaForFragmentList returns it.
 */
export function fragmentSamples(bytes: Uint8Array, tracks: readonly PackagingTrack[], options: ClusterSamplesOptions = {}): FragmentSamples {
  const file = readMatroska(bytesSource(bytes));
  const result = clusterSamples(bytes, file, 0, tracks, options);
  // A bare Cluster has no Tracks to declare its track numbers: that is expected, not an error.
  const bare = file.documents.every((d) => d.segments.every((seg) => seg.tracks.length === 0));
  const readIssues = file.issues.filter((i) => i.severity === 'error' && !(bare && i.code === 'MKV_UNDECLARED_TRACK'));
  result.issues.unshift(...readIssues);
  return result;
}

function videoSamples(track: PackagingTrack, frames: RawFrame[], issues: Issue[]): PackagingSample[] {
  const n = frames.length;
  // Laced video frames (never written by KVS producers) follow their block at the nominal rate.
  const pts: number[] = new Array<number>(n);
  let last = 0;
  for (let i = 0; i < n; i++) {
    const frame = frames[i];
    const t = frame?.timeMs;
    pts[i] = t ?? last + (track.frameDurationMs ?? 0);
    last = pts[i] ?? 0;
  }
  const sorted = pts.slice().sort((a, b) => a - b);
  let shift = 0;
  for (let i = 0; i < n; i++) shift = Math.max(shift, (sorted[i] ?? 0) - (pts[i] ?? 0));
  const dts = sorted.map((t) => t - shift);

  const out: PackagingSample[] = [];
  let previous: number | undefined;
  for (let i = 0; i < n; i++) {
    const frame = frames[i];
    if (!frame) continue;
    const d = dts[i] ?? 0;
    const next = dts[i + 1];
    const duration = next !== undefined ? next - d : (track.frameDurationMs ?? previous ?? 0);
    previous = duration;
    const sample: PackagingSample = { ptsMs: pts[i] ?? 0, durationMs: duration, keyframe: frame.key, data: frame.data };
    if (d !== sample.ptsMs) sample.dtsMs = d;
    out.push(sample);
  }
  if (n > 0 && !frames[0]?.key) {
    issues.push(
      issue('warning', 'PACKAGE_NO_KEYFRAME_START', `Track ${track.trackNumber}: the fragment does not start with a key frame; players cannot start decoding at it.`, frames[0]?.blockOffset ?? 0),
    );
  }
  return out;
}

/** Nominal duration (ms) of one audio frame: AAC frame length or the G.711 byte count; undefined if unknown. */
function nominalDuration(track: PackagingTrack, frame: RawFrame): number | undefined {
  const rate = track.sampleRate;
  if (rate === undefined || rate <= 0) return undefined;
  if (track.codec === 'alaw' || track.codec === 'mulaw') return (frame.data.length * 1000) / (rate * Math.max(1, track.channels ?? 1));
  if (track.codec === 'aac') return track.frameDurationMs;
  return undefined;
}

/** `tickMs`: one Matroska tick; stored times within less than a tick below one sample grid are snapped onto it. */
function audioSamples(track: PackagingTrack, frames: RawFrame[], tickMs: number): PackagingSample[] {
  const n = frames.length;
  const nominal = frames.map((f) => nominalDuration(track, f));
  const times = new Array<number>(n);
  // Runs of frames on one grid: position p (sum of nominal durations since the run start) plus the
  // run's phase (the largest stored − grid difference).
  let i = 0;
  while (i < n) {
    const start = i;
    const base = frames[i]?.timeMs ?? (i > 0 ? (times[i - 1] ?? 0) + (nominal[i - 1] ?? track.frameDurationMs ?? 0) : 0);
    let p = 0;
    let lo = 0;
    let hi = 0;
    const positions: number[] = [0];
    i++;
    while (i < n) {
      const d = nominal[i - 1];
      if (d === undefined) break;
      const position = p + d;
      const t = frames[i]?.timeMs;
      if (t !== undefined) {
        const e = t - base - position;
        const nlo = Math.min(lo, e);
        const nhi = Math.max(hi, e);
        if (nhi - nlo > tickMs - 1e-9) break;
        lo = nlo;
        hi = nhi;
      }
      p = position;
      positions.push(p);
      i++;
    }
    // Matroska writers (mkvgen, ffmpeg) truncate times to the tick: the exact grid is the one the
    // latest-looking frame lies on, every stored time at most one tick before it.
    const phase = hi;
    for (let k = start; k < i; k++) times[k] = base + (positions[k - start] ?? 0) + phase;
  }

  const out: PackagingSample[] = [];
  let previous: number | undefined;
  for (let k = 0; k < n; k++) {
    const frame = frames[k];
    if (!frame) continue;
    const t = times[k] ?? 0;
    const next = times[k + 1];
    const duration = next !== undefined ? next - t : (nominal[k] ?? track.frameDurationMs ?? previous ?? 0);
    previous = duration;
    out.push({ ptsMs: t, durationMs: duration, keyframe: true, data: frame.data });
  }
  return out;
}
