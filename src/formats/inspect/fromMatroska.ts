// Matroska / WebM (including KVS GetMedia output: one EBML document per fragment) → InspectionReport.
import type { ByteSource } from '../byteSource';
import { legacyAacAudioSpecificConfig, type ContainerAudio } from '../codecs';
import { reducedRatio } from '../codecs/aspectRatio';
import { opusPacketSamples } from '../codecs/opus/packet';
import { KVS_LIMITS } from '../checks/kvsReadiness';
import { issue, type Issue } from '../issues';
import type { BinaryRef } from '../ebml/values';
import { readBlockFrames } from '../matroska/blockFrames';
import { BlockFlag, type BlockTable } from '../matroska/blockTable';
import type { ContentEncodingSettings, MatroskaFile, MatroskaSegment, MatroskaTrack } from '../matroska/model';
import { indexPositionIssues } from '../matroska/indexPositions';
import { readMatroska } from '../matroska/readMatroska';
import { pushAll } from '../pushAll';
import { decodeBitmapInfoHeader, decodeCodecPrivate, decodeWave, waveFamily, type DecodedCodecPrivate, type FrameBytes } from './codecPrivate';
import { matroskaCodecNames } from './otherCodecs';
import type { ContainerInspection, LaterDeclaration, VideoTrackContext } from './container';
import { declaredFrameDurationMs, fragmentsFromFrames } from './fragments';
import { bringsNewCodec, declarationScope, fragmentFollowers, trackDeclarations, videoContext, widenReorderLimit } from './trackDeclarations';
import { FRAME_LACING_SHIFT, FrameFlag, frameTable, pushFrame, type CodecFamily, type FrameRow, type FrameTable, type TrackReport } from './report';

/**
 * The Matroska codec IDs KVS HLS/DASH/GetClip accept for each codec they package, the one producers write
 * first. H.264 has two: V_MPEG4/ISO/AVC (Matroska's, which the producer SDKs write) and V_MPEG/ISO/AVC
 * (how the KVS API reference spells it).
 */
const KVS_CODEC_IDS: Partial<Record<CodecFamily, readonly string[]>> = {
  h264: ['V_MPEG4/ISO/AVC', 'V_MPEG/ISO/AVC'],
  h265: ['V_MPEGH/ISO/HEVC'],
  aac: ['A_AAC'],
  'g711-alaw': ['A_MS/ACM'],
  'g711-mulaw': ['A_MS/ACM'],
};

/** int16 range of a block's timecode relative to its cluster. */
const RELATIVE_TIMECODE_MAX = 32767;

/** Matroska's PCM codec IDs (the byte order and sample type are in the ID). */
const PCM_NAMES: Record<string, string> = {
  'A_PCM/INT/LIT': 'PCM, little-endian integer',
  'A_PCM/INT/BIG': 'PCM, big-endian integer',
  'A_PCM/FLOAT/IEEE': 'PCM, IEEE float',
};

export function inspectMatroska(source: ByteSource): ContainerInspection {
  const file = readMatroska(source, { blocks: true });
  const issues: Issue[] = [...file.issues];
  const segments = file.documents.flatMap((document) => document.segments);
  const declared = declaredTracks(segments);
  const declarations = trackDeclarations(segments, (track) => track, 'segment');
  const { follows, coverage } = fragmentFollowers(declarations, (fragment) => file.fragments[fragment]?.segmentIndex ?? 0);

  const tracks: TrackReport[] = [];
  const videoTracks: VideoTrackContext[] = [];
  for (const { track, timestampScale } of declared) {
    const { family, decoded, legacyAac } = decodeDeclaration(track, () => firstKeyframe(source, file.blocks, track.number));
    if (!track.cut) issues.push(...decoded.issues, ...codecIdIssues(track, family, legacyAac));
    const pixelAspect = displayPixelAspect(track);
    const containerRate = track.defaultDurationNs ? { frameRate: 1e9 / track.defaultDurationNs } : {};
    tracks.push({
      number: track.number,
      offset: track.offset,
      kind: track.kind,
      codecId: track.codecId,
      family,
      ...(track.video ? { width: track.video.pixelWidth, height: track.video.pixelHeight } : {}),
      ...(track.audio ? { sampleRate: track.audio.samplingFrequency, channels: track.audio.channels } : {}),
      // The Audio element's BitDepth means something for PCM only (ffmpeg writes 32 for AAC: its decoder's float samples).
      ...(track.audio && track.codecId.startsWith('A_PCM/') ? { bitDepth: track.audio.bitDepth } : {}),
      ...containerRate,
      timescale: 1e9 / timestampScale,
      ...decoded.track,
      // An H.264 VUI that gives only a highest rate yields to DefaultDuration.
      ...(decoded.frameRateIsMaximum ? containerRate : {}),
      ...(pixelAspect ? { containerAspectRatio: pixelAspect } : {}),
      ...(track.cut ? { declarationCut: true } : {}),
    });
    const encoding = track.contentEncoding;
    if (encoding) issues.push(contentEncodingIssue(track.number, encoding));
    // Compressed or encrypted frames are not NAL units: their framing is not judged.
    if ((family === 'h264' || family === 'h265') && !encoding) videoTracks.push({ ...videoContext(track.number, family, decoded), ...coverage(track.number, 0) });
  }
  // A track declared otherwise in later segments: each declaration's codec private data is judged as the
  // first's, a codec the track had not been declared with so far also as a codec, and the video frames
  // after it by it.
  const laterDeclarations: LaterDeclaration[] = [];
  for (const [number, { tracks: later, declaredIn }] of declarations.byNumber) {
    later.forEach((track, k) => {
      if (k === 0 || track.cut) return;
      const { family, decoded, legacyAac } = decodeDeclaration(track);
      issues.push(...decoded.issues);
      const encoding = track.contentEncoding;
      if (bringsNewCodec(later, k, (declaration) => `${declaration.codecId} ${matroskaFamily(declaration)}`)) {
        const scope = declarationScope(declaredIn[k] ?? '', file.fragments.length, follows(number, k));
        issues.push(...codecIdIssues(track, family, legacyAac, scope));
        if (encoding) issues.push(contentEncodingIssue(number, encoding, scope));
        laterDeclarations.push({ number, kind: track.kind, codecId: track.codecId, codecName: decoded.track.codecName, family, offset: decoded.track.codecPrivate?.offset ?? track.offset, scope });
      }
      if ((family !== 'h264' && family !== 'h265') || encoding) return;
      videoTracks.push({ ...videoContext(number, family, decoded), ...coverage(number, k) });
      widenReorderLimit(tracks.find((shown) => shown.number === number), decoded.track.maxReorderFrames);
    });
  }
  const unwrapped = unwrapRelativeTimecodes(file, segments);
  pushAll(pushAll(pushAll(issues, declarations.changes), unwrapped.issues), indexPositionIssues(source, file));

  const firstDeclarations = declared.map(({ track }) => track);
  const frames = frameRows(source, file, unwrapped.timeMs, laceTimings(firstDeclarations, tracks), codecDelaysMs(firstDeclarations));

  const header = file.documents.find((document) => document.header)?.header;
  const fragments = fragmentsFromFrames(
    file.fragments.map((fragment) => ({ offset: fragment.offset, end: fragment.end, kvs: fragment.kvs, timeMs: fragment.timeMs })),
    frames,
    tracks,
  );
  // A segment that declares no tracks (a GetMedia error chunk has no frames either) is held to all of them.
  const allTracks = tracks.map((track) => track.number);
  const declaredIn = segments.map((segment) => (segment.tracks.length > 0 ? segment.tracks.map((track) => track.number).filter((number) => number > 0) : allTracks));
  return {
    report: { format: header?.docType === 'webm' ? 'webm' : 'matroska', size: source.size, tracks, fragments, frames, issues },
    videoTracks,
    laterDeclarations,
    declaredTracks: (fragment) => declaredIn[file.fragments[fragment]?.segmentIndex ?? 0] ?? allTracks,
  };
}

/**
 * A declaration's codec family and its decoded codec private data (or what a legacy AAC ID stands for).
 * `firstKeyframe`, for the first declaration, gives the parameter sets a record without them leaves to the frames.
 */
function decodeDeclaration(track: MatroskaTrack, firstKeyframe?: () => FrameBytes | undefined): { family: CodecFamily; decoded: DecodedCodecPrivate; legacyAac: boolean } {
  const family = matroskaFamily(track);
  const audio = track.audio && { sampleRate: track.audio.outputSamplingFrequency ?? track.audio.samplingFrequency, channels: track.audio.channels };
  const legacyAac = !track.codecPrivate && track.audio ? legacyAacAudioSpecificConfig(track.codecId, track.audio.samplingFrequency, track.audio.channels, track.audio.outputSamplingFrequency) : undefined;
  const decoded = decodeTrack(track, family, audio, legacyAac, firstKeyframe);
  return { family, decoded, legacyAac: legacyAac !== undefined };
}

/** The first unlaced key frame block of a track. */
function firstKeyframe(source: ByteSource, blocks: BlockTable, track: number): FrameBytes | undefined {
  for (let i = 0; i < blocks.count; i++) {
    if (blocks.track[i] !== track || ((blocks.flags[i] ?? 0) & BlockFlag.Key) === 0 || (blocks.frameCount[i] ?? 1) > 1) continue;
    const offset = blocks.payloadOffset[i] ?? 0;
    return { bytes: source.read(offset, blocks.payloadSize[i] ?? 0), offset };
  }
  return undefined;
}

/** What a declaration's codec private data (or, for a legacy AAC ID, the config it stands for) adds to its track. */
function decodeTrack(track: MatroskaTrack, family: CodecFamily, audio: ContainerAudio | undefined, legacyAac: Uint8Array | undefined, firstKeyframe?: () => FrameBytes | undefined): DecodedCodecPrivate {
  const bytes = track.codecPrivate?.bytes;
  const offset = track.codecPrivate?.offset ?? track.offset;
  if (track.codecId.startsWith('A_PCM/')) return { track: { codecName: PCM_NAMES[track.codecId] ?? 'PCM' }, issues: [] }; // the Audio element says it all: no CodecPrivate
  if (track.codecId === 'A_MS/ACM') return decodeWave(bytes, offset);
  if (track.codecId === 'V_MS/VFW/FOURCC') return decodeBitmapInfoHeader(bytes, offset);
  if (legacyAac) return legacyAacFormat(legacyAac, audio);
  if (family === 'other') return { track: matroskaCodecNames(track.codecId, audio?.sampleRate), issues: [] };
  return decodeCodecPrivate(family, bytes, offset, { audio, firstKeyframe });
}

/**
 * CODEC_ID_NOT_KVS for a codec KVS packages under another CodecID (A_AAC/MPEG4/LC and the like: the same
 * codec under an older Matroska name, which KVS does not name). `scope` names a later declaration's fragments.
 */
function codecIdIssues(track: MatroskaTrack, family: CodecFamily, legacyAac: boolean, scope?: string): Issue[] {
  const kvsCodecIds = KVS_CODEC_IDS[family];
  const kvsCodecId = kvsCodecIds?.[0];
  if (!kvsCodecId || kvsCodecIds.includes(track.codecId)) return [];
  return [
    issue(
      'warning',
      'CODEC_ID_NOT_KVS',
      `Track ${track.number}'s CodecID${scope ? ` (${scope})` : ''} is ${track.codecId}; KVS HLS/DASH/GetClip take this codec only as ${kvsCodecId}.`,
      track.offset,
      `Write CodecID ${kvsCodecId}, the ID the KVS playback requirements name${legacyAac ? ', with the AudioSpecificConfig as CodecPrivate' : ''}; the service stores the track as it is, but may not package it.`,
    ),
  ];
}

/**
 * Each track number once, as the first segment that declares it does (GetMedia output repeats the Tracks
 * in every document; files joined end to end may add tracks in a later one), with that segment's
 * TimestampScale.
 */
function declaredTracks(segments: readonly MatroskaSegment[]): { track: MatroskaTrack; timestampScale: number }[] {
  const byNumber = new Map<number, { track: MatroskaTrack; timestampScale: number }>();
  for (const segment of segments) {
    for (const track of segment.tracks) if (!byNumber.has(track.number)) byNumber.set(track.number, { track, timestampScale: segment.info.timestampScale });
  }
  return [...byNumber.values()];
}

/**
 * How the frames of a laced block are timed, per track number: a frame length in ms (DefaultDuration, or
 * what the codec private data implies), 'opus' (each frame's own length, from its TOC byte), or 0 when
 * unknown (the block's frames then share its time span evenly, up to the track's next block).
 */
type LaceTiming = number | 'opus';

/**
 * One row per frame: a laced block (audio, often, from mkvmerge) holds several, each with its own bytes
 * and its own time (the block's is the first frame's, RFC 9559 §10.3).
 */
function frameRows(source: ByteSource, file: MatroskaFile, blockTimeMs: Float64Array, laceTiming: ReadonlyMap<number, LaceTiming>, codecDelayMs: ReadonlyMap<number, number>): FrameTable {
  const blocks = file.blocks;
  let count = 0;
  for (let i = 0; i < blocks.count; i++) count += Math.max(1, blocks.frameCount[i] ?? 1);
  const frames = frameTable(count);
  const fragmentOfCluster = new Int32Array(file.clusters.length).fill(-1);
  for (const fragment of file.fragments) if (fragment.clusterIndex !== null) fragmentOfCluster[fragment.clusterIndex] = fragment.index;
  const row: FrameRow = { track: 0, fragment: -1, offset: 0, size: 0, ptsMs: 0, dtsMs: 0, keyframe: false, flags: 0 };
  /** Per track, the frame length the last block timed evenly gave its frames. */
  const evenSteps = new Map<number, number>();
  for (let i = 0; i < blocks.count; i++) {
    row.track = blocks.track[i] ?? 0;
    const timeMs = (blockTimeMs[i] ?? 0) - (codecDelayMs.get(row.track) ?? 0);
    row.fragment = fragmentOfCluster[blocks.cluster[i] ?? 0] ?? -1;
    row.offset = blocks.payloadOffset[i] ?? 0;
    row.size = blocks.payloadSize[i] ?? 0;
    row.ptsMs = timeMs;
    row.dtsMs = NaN; // Matroska stores no decode times: blocks are in decode order, timed for presentation
    row.durationMs = undefined;
    const blockFlags = blocks.flags[i] ?? 0;
    row.keyframe = (blockFlags & BlockFlag.Key) !== 0;
    row.flags = (blockFlags & BlockFlag.Invisible ? FrameFlag.Invisible : 0) | (blockFlags & BlockFlag.Discardable ? FrameFlag.Discardable : 0) | (blockFlags & BlockFlag.Cut ? FrameFlag.Cut : 0);
    // A lacing header that cannot be read leaves the block one row, as an unlaced block.
    const laces = (blocks.frameCount[i] ?? 1) > 1 ? readBlockFrames(source, blocks, i) : [];
    if (laces.length === 0) {
      pushFrame(frames, row);
      continue;
    }
    row.flags |= (blocks.lacing[i] ?? 0) << FRAME_LACING_SHIFT;
    const timing = laceTiming.get(row.track) ?? 0;
    const lengths = timing === 'opus' ? opusLengthsMs(source, laces) : undefined;
    let step = typeof timing === 'number' && timing > 0 ? timing : 0;
    if (!step && !lengths) {
      // The track's last block has no next one: its frames are as long as those of the block before.
      step = evenStepMs(blocks, blockTimeMs, i, laces.length) || (evenSteps.get(row.track) ?? 0);
      evenSteps.set(row.track, step);
    }
    let time = timeMs;
    laces.forEach((lace, k) => {
      row.offset = lace.offset;
      row.size = lace.size;
      row.ptsMs = time;
      row.durationMs = lengths?.[k];
      time += lengths?.[k] ?? step;
      pushFrame(frames, row);
    });
  }
  return frames;
}

/** Each Opus packet's length in ms, from its TOC byte; undefined when one has none (the block is then timed evenly). */
function opusLengthsMs(source: ByteSource, laces: readonly BinaryRef[]): number[] | undefined {
  const first = laces[0]?.offset ?? 0;
  const last = laces[laces.length - 1];
  const bytes = source.read(first, last ? last.offset + last.size - first : 0); // one read for the whole block
  const lengths: number[] = [];
  for (const lace of laces) {
    const samples = opusPacketSamples(bytes, lace.offset - first, lace.offset - first + lace.size);
    if (!samples) return undefined;
    lengths.push(samples / 48); // Opus packets count 48 kHz samples whatever the rate
  }
  return lengths;
}

/** The frames of block `i` spread evenly until the next block of its track: their length; 0 without a later block. */
function evenStepMs(blocks: BlockTable, blockTimeMs: Float64Array, i: number, frameCount: number): number {
  const track = blocks.track[i];
  for (let next = i + 1; next < blocks.count; next++) {
    if (blocks.track[next] !== track) continue;
    const span = (blockTimeMs[next] ?? 0) - (blockTimeMs[i] ?? 0);
    return span > 0 ? span / frameCount : 0;
  }
  return 0;
}

/** The CodecDelay of each track that has one, in ms: its frames present that much before their blocks' timestamps. */
function codecDelaysMs(matroskaTracks: readonly MatroskaTrack[]): Map<number, number> {
  return new Map(matroskaTracks.flatMap((track) => (track.codecDelayNs ? [[track.number, track.codecDelayNs / 1e6]] : [])));
}

/** How each track's laced frames are timed (LaceTiming). */
function laceTimings(matroskaTracks: readonly MatroskaTrack[], tracks: readonly TrackReport[]): Map<number, LaceTiming> {
  return new Map(
    matroskaTracks.map((track, index): [number, LaceTiming] => {
      if (track.defaultDurationNs) return [track.number, track.defaultDurationNs / 1e6];
      if (track.codecId === 'A_OPUS') return [track.number, 'opus'];
      const report = tracks[index];
      return [track.number, report ? declaredFrameDurationMs(report) : 0];
    }),
  );
}

const COMPRESSION_NAMES = ['zlib', 'bzlib', 'lzo1x', 'header stripping'];

/** `scope` names a later declaration's fragments. */
function contentEncodingIssue(trackNumber: number, encoding: ContentEncodingSettings, scope?: string): Issue {
  const how = [
    encoding.compression !== undefined ? `compressed (ContentCompAlgo ${encoding.compression}${COMPRESSION_NAMES[encoding.compression] ? `: ${COMPRESSION_NAMES[encoding.compression]}` : ''})` : '',
    encoding.encryption !== undefined ? `encrypted (ContentEncAlgo ${encoding.encryption})` : '',
  ].filter(Boolean).join(' and ');
  return issue(
    'error',
    'MKV_CONTENT_ENCODING',
    `Track ${trackNumber}'s frames${scope ? ` (${scope})` : ''} are stored ${how}: KVS HLS/DASH/GetClip repackage frames as they are stored, so theirs would not play. Their framing is not checked.`,
    encoding.offset,
    'Write the frames as they are (mkvmerge: --compression TID:none); KVS producers never compress frames.',
  );
}

/** The pixel aspect ratio DisplayWidth:DisplayHeight (in any DisplayUnit, a ratio) gives the pixels. */
function displayPixelAspect({ video }: MatroskaTrack): [number, number] | undefined {
  if (!video?.displayWidth || !video.displayHeight || !video.pixelWidth || !video.pixelHeight) return undefined;
  return reducedRatio(video.displayWidth * video.pixelHeight, video.displayHeight * video.pixelWidth);
}

/**
 * A legacy AAC ID's format, from the AudioSpecificConfig it stands for: no codec private data to show or
 * miss (the ID has none by definition; CODEC_ID_NOT_KVS says what KVS needs).
 */
function legacyAacFormat(config: Uint8Array, audio: ContainerAudio | undefined): DecodedCodecPrivate {
  const { codecPrivate: _notInFile, ...shown } = decodeCodecPrivate('aac', config, 0, { audio }).track;
  return { track: shown, issues: [] };
}

function matroskaFamily(track: MatroskaTrack): CodecFamily {
  if (track.codecId === 'V_MPEG4/ISO/AVC' || track.codecId === 'V_MPEG/ISO/AVC') return 'h264';
  if (track.codecId === 'V_MPEGH/ISO/HEVC') return 'h265';
  if (track.codecId.startsWith('A_AAC')) return 'aac';
  if (track.codecId === 'A_MS/ACM') return waveFamily(track.codecPrivate?.bytes);
  if (track.codecId.startsWith('A_PCM/')) return 'pcm';
  return 'other';
}

/**
 * A track's next block in the cluster looks wrapped past int16: its timecode falls by more than half the
 * range, or goes from ≥ 0 to < 0 falling by more than a KVS fragment may last (no reordering does that).
 */
function wrapped(previous: number, relative: number, longStepTicks: number): boolean {
  const fall = previous - relative;
  return fall > RELATIVE_TIMECODE_MAX || (previous >= 0 && relative < 0 && fall > longStepTicks);
}

/** The first int16 wrap, with what a cluster may span in ticks of this TimestampScale (`tickMs`). */
function overflowIssue(previous: number, relative: number, tickMs: number, offset: number): Issue {
  const spanMs = RELATIVE_TIMECODE_MAX * tickMs;
  const span = spanMs >= 1000 ? `${Math.floor(spanMs / 100) / 10} s` : `${Math.floor(spanMs * 10) / 10} ms`;
  // A scale finer than ~0.3 ms (int16 spans under 10 s, a fragment's most): no cluster length fixes it.
  const fine = spanMs < KVS_LIMITS.maxFragmentDurationMs;
  return issue(
    'error',
    'RELATIVE_TIMECODE_OVERFLOW',
    `Block timecode relative to its cluster wrapped from ${previous} to ${relative} ticks (int16 overflow): the cluster spans more than ${RELATIVE_TIMECODE_MAX} ticks (${span}). The blocks after it are timed as continuing past the wrap${fine ? '; blocks more than one wrap apart cannot be timed' : ''}.`,
    offset,
    fine
      ? `With a TimestampScale of ${Math.round(tickMs * 1e6)} ns a cluster can span only ${span}: use 1000000 (1 ms ticks), as the KVS producer SDKs do, and start a new cluster (fragment) with each keyframe.`
      : `Start a new cluster (fragment) at least every ${span} of timecode, and send a keyframe there; KVS fragments must also stay under 10 s.`,
  );
}

/** Ticks an int16 timecode loses when it wraps. */
const INT16_WRAP = 65536;

/**
 * Blocks are stored relative to their cluster in int16 ticks of its segment's TimestampScale: a longer
 * cluster wraps the timecodes. The first wrap is reported; the times of the blocks after each wrap are
 * read as the writer meant them (one more wrap of ticks), so the frames, the fragment's duration and the
 * order checks see the real timeline. `timeMs`: the blocks' times, corrected (the table's when none wraps).
 */
function unwrapRelativeTimecodes(file: MatroskaFile, segments: readonly MatroskaSegment[]): { issues: Issue[]; timeMs: Float64Array } {
  const issues: Issue[] = [];
  const { blocks } = file;
  let timeMs = blocks.timeMs;
  const lastRelative = new Map<number, number>();
  /** Wraps so far in the cluster, per track. */
  const wraps = new Map<number, number>();
  let cluster = -1;
  let longStepTicks = 0;
  let tickMs = 1;
  for (let i = 0; i < blocks.count; i++) {
    if (blocks.cluster[i] !== cluster) {
      cluster = (blocks.cluster[i] ?? 0);
      lastRelative.clear();
      wraps.clear();
      const timestampScale = segments[file.clusters[cluster]?.segmentIndex ?? 0]?.info.timestampScale ?? 1_000_000;
      tickMs = timestampScale / 1e6;
      // Sparse blocks (one every 40 s) wrap by less than half the int16 range from one to the next.
      longStepTicks = Math.min(RELATIVE_TIMECODE_MAX, (KVS_LIMITS.maxFragmentDurationMs * 1e6) / timestampScale);
    }
    const track = (blocks.track[i] ?? 0);
    const relative = (blocks.relativeTimecode[i] ?? 0);
    const previous = lastRelative.get(track);
    lastRelative.set(track, relative);
    if (previous !== undefined && wrapped(previous, relative, longStepTicks)) {
      wraps.set(track, (wraps.get(track) ?? 0) + 1);
      if (issues.length === 0) issues.push(overflowIssue(previous, relative, tickMs, blocks.offset[i] ?? 0));
    }
    const wrapsSoFar = wraps.get(track) ?? 0;
    if (wrapsSoFar > 0) {
      if (timeMs === blocks.timeMs) timeMs = Float64Array.from(blocks.timeMs);
      timeMs[i] = (blocks.timeMs[i] ?? 0) + wrapsSoFar * INT16_WRAP * tickMs;
    }
  }
  return { issues, timeMs };
}


