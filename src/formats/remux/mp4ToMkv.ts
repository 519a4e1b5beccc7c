// MP4 (plain or fragmented) → Matroska as KVS expects it: H.264/H.265 video (avcC/hvcC as CodecPrivate,
// frames stay length-prefixed) and AAC audio (AudioSpecificConfig as CodecPrivate), TimestampScale 1 ms,
// one Cluster per video key frame, SimpleBlocks in decode order with presentation-time timecodes.
// The header is built up front; clusters come from a generator that reads sample bytes through the
// ByteSource one cluster at a time, so a large file is never held in memory.
import type { ByteSource } from '../byteSource';
import { parseAudioSpecificConfig } from '../codecs/aac/audioSpecificConfig';
import { isAacObjectType, readFirstSyncSample, readIsoBmff, type SampleTable, type Track } from '../isobmff';
import { issue, type Issue } from '../issues';
import { FragmentOpener, lastAtOrBefore } from '../producerFragments';
import { ElementId as Id } from '../matroska/elementTable';
import { concatBytes, elementHeader, uintElement } from '../matroska/write/ebmlWrite';
import type { TrackSpec } from '../matroska/write/matroskaWrite';
import { ebmlHeader, infoElement, segmentStart, simpleBlockLength, tracksElement, writeSimpleBlockHeader } from '../matroska/write/matroskaWrite';
import { recordWithInBandSets } from './recordFromInBand';

export const MatroskaCodec = {
  AVC: 'V_MPEG4/ISO/AVC',
  HEVC: 'V_MPEGH/ISO/HEVC',
  AAC: 'A_AAC',
} as const;

export interface Mp4ToMkvOptions {
  muxingApp?: string;
  writingApp?: string;
  /** Added to every cluster timecode, in milliseconds (e.g. a producer start time for ABSOLUTE timecodes). */
  timecodeOffsetMs?: number;
  /**
   * Write as the KVS producer SDK does: Segment and Clusters of unknown size (FF), 8-byte Timestamp
   * values and 8-byte SimpleBlock sizes. Default false: known-size Clusters, 8-byte unknown Segment size.
   */
  producerStyle?: boolean;
  /** Write the Segment Duration into Info (a whole file); default false (a stream). */
  duration?: boolean;
  /** 16 bytes. */
  segmentUid?: Uint8Array;
}

export interface RemuxTrack {
  /** Matroska TrackNumber (video tracks first, from 1). */
  number: number;
  /** The MP4 track_ID. */
  sourceTrackId: number;
  kind: 'video' | 'audio';
  codecId: string;
  sampleCount: number;
}

export interface MkvCluster {
  /** The Cluster element. */
  bytes: Uint8Array;
  /** Cluster Timestamp (ms, TimestampScale 1 ms). */
  timecode: number;
  /** Earliest and latest block time, and their span plus the last block's duration. */
  startMs: number;
  endMs: number;
  durationMs: number;
  /** The cluster starts with a video key frame (audio-only input: always true). */
  keyframe: boolean;
  blockCount: number;
}

export interface MkvRemux {
  /** EBML header, Segment start (unknown size), Info and Tracks. */
  header: Uint8Array;
  tracks: RemuxTrack[];
  /** Found while planning; `clusters()` appends what it finds while reading. */
  issues: Issue[];
  /** Number of clusters `clusters()` yields. */
  clusterCount: number;
  /** Presentation span of all samples, in ms. */
  durationMs: number;
  /** Added to every MP4 presentation time so that none is negative (e.g. AAC priming cut by an edit list); usually 0. */
  timeShiftMs: number;
  clusters(): Generator<MkvCluster, void, undefined>;
}

interface PlannedTrack {
  spec: RemuxTrack;
  samples: SampleTable;
  /** Presentation time (ms, unrounded, after the global shift) per sample. */
  ptsMs: Float64Array;
  /** Decode time (ms, unrounded, after the global shift) per sample. */
  dtsMs: Float64Array;
  /** Duration in ms per sample. */
  durMs: Float64Array;
}

/** Plans the remux: header bytes, tracks, issues; call `clusters()` for the cluster bytes. */
export function remuxMp4ToMkv(source: ByteSource, options: Mp4ToMkvOptions = {}): MkvRemux {
  const file = readIsoBmff(source, { fragmentBoxes: false }); // no box tree needed
  const issues: Issue[] = [...file.issues];
  const specs: TrackSpec[] = [];
  const planned: PlannedTrack[] = [];

  const candidates = [...file.tracks.filter((t) => t.kind === 'video'), ...file.tracks.filter((t) => t.kind === 'audio')];
  for (const track of file.tracks) {
    if (track.kind !== 'video' && track.kind !== 'audio') {
      issues.push(issue('info', 'REMUX_TRACK_SKIPPED', `Track ${track.id} (${track.handler || 'no handler'}) is neither video nor audio; it is left out.`, track.box?.offset ?? 0));
    }
  }
  for (const track of candidates) {
    const described = describe(source, track, specs.length + 1, issues);
    if (!described) continue;
    specs.push(described);
    const samples = track.samples;
    if (!samples) continue;
    planned.push({
      spec: { number: described.number, sourceTrackId: track.id, kind: track.kind === 'video' ? 'video' : 'audio', codecId: described.codecId, sampleCount: samples.count },
      samples,
      ptsMs: new Float64Array(samples.count),
      dtsMs: new Float64Array(samples.count),
      durMs: new Float64Array(samples.count),
    });
  }
  if (planned.length > 3) {
    issues.push(issue('warning', 'REMUX_TOO_MANY_TRACKS', `${planned.length} tracks are written; KVS PutMedia accepts at most 3.`, 0));
  }

  // Times in ms; shift everything so that no presentation time is negative (Matroska has no negative times).
  let minPts = Infinity;
  let maxEnd = -Infinity;
  for (const p of planned) {
    const track = file.tracks.find((t) => t.id === p.spec.sourceTrackId);
    const scale = 1000 / (track?.timescale ?? 1000);
    const shift = track?.presentationShift ?? 0;
    const s = p.samples;
    for (let i = 0; i < s.count; i++) {
      const dts = ((s.dts[i] ?? 0) + shift) * scale;
      const pts = ((s.dts[i] ?? 0) + (s.cto[i] ?? 0) + shift) * scale;
      p.dtsMs[i] = dts;
      p.ptsMs[i] = pts;
      p.durMs[i] = (s.duration[i] ?? 0) * scale;
      if (pts < minPts) minPts = pts;
      if (pts + (p.durMs[i] ?? 0) > maxEnd) maxEnd = pts + (p.durMs[i] ?? 0);
    }
  }
  let timeShiftMs = 0;
  if (minPts < -0.5) {
    timeShiftMs = -minPts;
    issues.push(issue('warning', 'REMUX_NEGATIVE_TIME', `Samples start ${(-minPts).toFixed(3)} ms before 0 (edit list); all times are shifted by that much.`, 0));
    for (const p of planned) {
      for (let i = 0; i < p.ptsMs.length; i++) {
        p.ptsMs[i] = (p.ptsMs[i] ?? 0) - minPts;
        p.dtsMs[i] = (p.dtsMs[i] ?? 0) - minPts;
      }
    }
    maxEnd -= minPts;
    minPts = 0;
  }
  const durationMs = planned.some((p) => p.samples.count > 0) ? maxEnd - Math.max(0, minPts) : 0;

  const producerStyle = options.producerStyle === true;
  const info = infoElement({
    timestampScale: 1_000_000,
    muxingApp: options.muxingApp ?? 'Kinesis Video Inspector',
    writingApp: options.writingApp ?? 'Kinesis Video Inspector',
    ...(options.segmentUid ? { segmentUid: options.segmentUid } : {}),
    ...(options.duration ? { duration: maxEnd > 0 ? maxEnd : 0 } : {}),
  });
  const header = concatBytes([ebmlHeader(), segmentStart(producerStyle ? 1 : 8), info, tracksElement(specs)]);

  const plan = planClusters(planned, issues);
  const offsetMs = Math.round(options.timecodeOffsetMs ?? 0);
  if (planned.length === 0) issues.push(issue('error', 'REMUX_NO_TRACKS', 'No H.264, H.265 or AAC track with samples to write.', 0));

  return {
    header,
    tracks: planned.map((p) => p.spec),
    issues,
    clusterCount: plan.length,
    durationMs,
    timeShiftMs,
    *clusters() {
      for (const group of plan) yield writeCluster(source, planned, group, offsetMs, producerStyle, issues);
    },
  };
}

/** The whole MKV in memory: header then every cluster. For files that fit in memory. */
export function mp4ToMkv(source: ByteSource, options: Mp4ToMkvOptions = {}): { bytes: Uint8Array; issues: Issue[]; tracks: RemuxTrack[]; timeShiftMs: number } {
  const remux = remuxMp4ToMkv(source, { duration: true, ...options });
  const parts = [remux.header];
  for (const cluster of remux.clusters()) parts.push(cluster.bytes);
  return { bytes: concatBytes(parts), issues: remux.issues, tracks: remux.tracks, timeShiftMs: remux.timeShiftMs };
}

/** Track header for a supported track; undefined (with an issue) otherwise. */
function describe(source: ByteSource, track: Track, number: number, issues: Issue[]): TrackSpec | undefined {
  const where = track.box?.offset ?? 0;
  const skip = (why: string): undefined => {
    issues.push(issue('warning', 'REMUX_TRACK_SKIPPED', `Track ${track.id} (${track.codec || 'unknown codec'}) is left out: ${why}.`, where));
    return undefined;
  };
  if (!track.samples || track.samples.count === 0) return skip('it has no samples');
  if (track.timescale <= 0) return skip('its timescale is 0');
  const codec = track.codec === 'encv' || track.codec === 'enca' ? '' : track.codec;
  const uid = number;
  if (track.kind === 'video') {
    let codecId: string;
    if ((codec === 'avc1' || codec === 'avc3') && track.config?.type === 'avcC') codecId = MatroskaCodec.AVC;
    else if ((codec === 'hvc1' || codec === 'hev1') && track.config?.type === 'hvcC') codecId = MatroskaCodec.HEVC;
    else return skip(track.codec === 'encv' ? 'it is encrypted' : 'only H.264 (avcC) and H.265 (hvcC) video is remuxed');
    const codecPrivate = recordWithInBandSets(codecId === MatroskaCodec.AVC ? 'h264' : 'h265', track.config.bytes, readFirstSyncSample(source, track.samples)?.bytes);
    const spec: TrackSpec = { number, uid, type: 1, codecId, codecPrivate };
    if (track.width !== undefined && track.height !== undefined) spec.video = { width: track.width, height: track.height };
    const frame = constantDuration(track.samples);
    if (frame > 0) spec.defaultDurationNs = (frame * 1e9) / track.timescale;
    return spec;
  }
  if (codec !== 'mp4a' || !isAacObjectType(track.esds?.objectTypeIndication) || track.config?.type !== 'esds') return skip(track.codec === 'enca' ? 'it is encrypted' : 'only AAC audio (mp4a with an AudioSpecificConfig) is remuxed');
  const asc = parseAudioSpecificConfig(track.config.bytes, track.config.offset);
  const samplingFrequency = asc.derived.sampleRate ?? track.sampleRate ?? track.timescale;
  const channels = asc.derived.channels ?? track.channelCount ?? 2;
  return { number, uid, type: 2, codecId: MatroskaCodec.AAC, codecPrivate: track.config.bytes, audio: { samplingFrequency, channels } };
}

/** The sample duration when all but the last sample have it; 0 otherwise. */
function constantDuration(samples: SampleTable): number {
  const first = samples.duration[0] ?? 0;
  for (let i = 1; i < samples.count - 1; i++) if (samples.duration[i] !== first) return 0;
  return first;
}

/** One cluster's samples: per planned track, a range of sample indices. */
interface ClusterGroup {
  ranges: { track: number; from: number; to: number }[];
  keyframe: boolean;
  /** Presentation time of the cluster's first video sample (or first sample), ms. */
  anchorMs: number;
}

/**
 * Groups samples into clusters as a producer cuts fragments (producerFragments.ts): the first video track
 * (else the first track) leads, and each sample of the other tracks goes to the cluster of the last lead
 * opening at or before its presentation time.
 */
function planClusters(tracks: readonly PlannedTrack[], issues: Issue[]): ClusterGroup[] {
  const videoIndex = tracks.findIndex((t) => t.spec.kind === 'video');
  const leadIndex = Math.max(videoIndex, 0);
  const lead = tracks[leadIndex];
  if (!lead) return [];
  const s = lead.samples;
  if (videoIndex >= 0 && s.count > 0 && s.sync[0] !== 1) {
    issues.push(issue('warning', 'REMUX_NO_LEADING_KEYFRAME', `Video track ${lead.spec.sourceTrackId} does not start with a key frame; the first cluster starts without one.`, 0));
  }
  const opener = new FragmentOpener(videoIndex >= 0);
  const starts: number[] = []; // lead sample indices where a cluster starts
  for (let i = 0; i < s.count; i++) if (opener.opens(lead.ptsMs[i] ?? 0, s.sync[i] === 1) || i === 0) starts.push(i);
  const groups: ClusterGroup[] = starts.map((from, k) => ({
    ranges: [{ track: leadIndex, from, to: starts[k + 1] ?? s.count }],
    keyframe: videoIndex < 0 || s.sync[from] === 1,
    anchorMs: lead.ptsMs[from] ?? 0,
  }));
  const anchors = groups.map((group) => group.anchorMs);
  tracks.forEach((track, t) => {
    if (t === leadIndex) return;
    // Samples in decode order stay in runs: a sample never goes to an earlier cluster than the one before it.
    let k = 0;
    for (let i = 0; i < track.samples.count; i++) {
      k = Math.max(k, lastAtOrBefore(anchors, track.ptsMs[i] ?? 0));
      const ranges = groups[k]?.ranges;
      const last = ranges?.[ranges.length - 1];
      if (last?.track === t) last.to = i + 1;
      else ranges?.push({ track: t, from: i, to: i + 1 });
    }
  });
  return groups;
}

/** One block to write: which sample of which track, its times. */
interface PlannedBlock {
  track: number;
  sample: number;
  dtsMs: number;
  ptsMs: number;
}

function writeCluster(
  source: ByteSource,
  tracks: readonly PlannedTrack[],
  group: ClusterGroup,
  offsetMs: number,
  producerStyle: boolean,
  issues: Issue[],
): MkvCluster {
  const blocks: PlannedBlock[] = [];
  for (const range of group.ranges) {
    const track = tracks[range.track];
    if (!track) continue;
    for (let i = range.from; i < range.to; i++) blocks.push({ track: range.track, sample: i, dtsMs: track.dtsMs[i] ?? 0, ptsMs: track.ptsMs[i] ?? 0 });
  }
  // Decode order across tracks, except that the cluster's first lead sample (its key frame) comes first
  // even when other tracks' samples precede it (audio before the first video frame).
  const first = group.ranges[0];
  const rank = (b: PlannedBlock): number => (first && b.track === first.track && b.sample === first.from ? -Infinity : b.dtsMs);
  blocks.sort((a, b) => rank(a) - rank(b) || a.track - b.track || a.sample - b.sample);

  let timecode = Math.round(group.anchorMs);
  let minMs = Infinity;
  let maxMs = -Infinity;
  let lastDur = 0;
  for (const block of blocks) {
    const t = Math.round(block.ptsMs);
    if (t < minMs) minMs = t;
    if (t >= maxMs) {
      maxMs = t;
      lastDur = tracks[block.track]?.durMs[block.sample] ?? 0;
    }
  }
  if (blocks.length > 0 && minMs < timecode - 32768) timecode = minMs;
  if (blocks.length > 0 && maxMs - timecode > 32767) {
    issues.push(
      issue('warning', 'REMUX_LONG_CLUSTER', `The cluster at ${timecode} ms spans ${maxMs - timecode} ms, more than a block timecode can hold (32767); later blocks are clamped.`, 0),
    );
  }

  const producerWidth = producerStyle ? 8 : undefined;
  const timestamp = uintElement(Id.Timestamp, timecode + offsetMs, producerStyle ? { length: 8 } : {});
  let dataSize = timestamp.length;
  for (const block of blocks) {
    const track = tracks[block.track];
    dataSize += simpleBlockLength(track?.spec.number ?? 1, track?.samples.size[block.sample] ?? 0, producerWidth);
  }
  const head = producerStyle ? elementHeader(Id.Cluster, 'unknown', { sizeWidth: 1 }) : elementHeader(Id.Cluster, dataSize);
  const out = new Uint8Array(head.length + dataSize);
  let p = timestamp.write(out, head.write(out, 0));
  for (const block of blocks) {
    const track = tracks[block.track];
    if (!track) continue;
    const size = track.samples.size[block.sample] ?? 0;
    const relative = Math.max(-32768, Math.min(32767, Math.round(block.ptsMs) - timecode));
    const keyframe = track.samples.sync[block.sample] === 1;
    p = writeSimpleBlockHeader(out, p, { track: track.spec.number, relativeTimecode: relative, keyframe }, size, producerWidth);
    const offset = track.samples.offset[block.sample] ?? 0;
    const data = source.read(offset, size);
    if (data.length < size) {
      issues.push(issue('error', 'REMUX_SAMPLE_TRUNCATED', `Sample ${block.sample} of track ${track.spec.sourceTrackId} at offset ${offset} has ${data.length} of its ${size} bytes; the rest is zeros.`, offset));
    }
    out.set(data.subarray(0, size), p);
    p += size;
  }
  const startMs = blocks.length > 0 ? minMs : timecode;
  const endMs = blocks.length > 0 ? maxMs : timecode;
  return {
    bytes: out,
    timecode: timecode + offsetMs,
    startMs: startMs + offsetMs,
    endMs: endMs + offsetMs,
    durationMs: endMs - startMs + lastDur,
    keyframe: group.keyframe,
    blockCount: blocks.length,
  };
}
