// MP4, fragmented MP4 and CMAF segments → InspectionReport.
import type { ByteSource } from '../byteSource';
import { readVorbisIdentification } from '../codecs';
import { reducedRatio } from '../codecs/aspectRatio';
import { isAacObjectType, OBJECT_TYPE_MPEG4_AUDIO, readFirstSyncSample, readIsoBmff, sampleIsDisposable } from '../isobmff';
import type { IsoBmffFile, Track } from '../isobmff';
import { issue, type Issue } from '../issues';
import { lastAtOrBefore } from '../producerFragments';
import { pushAll } from '../pushAll';
import { decodeCodecPrivate, g711Codec, type DecodedCodecPrivate, type FrameBytes, type VideoSampleEntry } from './codecPrivate';
import type { ContainerInspection, LaterDeclaration, VideoTrackContext } from './container';
import { fileOrder } from './fileOrder';
import { isMpegAudioSampleEntry, isoBmffCodecNames, mpegAudioFormat, OBJECT_TYPE_VORBIS, pcmBitDepth } from './otherCodecs';
import { cutAtKeyframes, fragmentsFromFrames, type FragmentSpan } from './fragments';
import { FrameFlag, frameTable, pushFrame, rotationText, type CodecFamily, type FragmentReport, type FrameRow, type FrameTable, type TrackReport } from './report';
import { bringsNewCodec, declarationScope, fragmentFollowers, trackDeclarations, videoContext, widenReorderLimit, type Declared } from './trackDeclarations';

/**
 * An 'alaw' or 'ulaw' sample entry says all there is (rate and channels): unlike Matroska's A_MS/ACM,
 * ISO BMFF and QuickTime keep no WAVEFORMATEX, so there is no codec private data to check.
 */
const G711_NAMES = { 'g711-alaw': 'G.711 A-law', 'g711-mulaw': 'G.711 mu-law' } as const;

/** A track as trackDeclarations compares it: its sample entry and codec configuration. */
function declaredIn(track: Track): Declared {
  return { number: track.id, codecId: track.codec, codecPrivate: track.config, offset: track.box?.offset ?? 0 };
}

/** The moov (an index of `file.movies`) whose tracks the bytes at `offset` follow: the last one before them. */
function movieAt(file: IsoBmffFile, offset: number): number {
  let index = 0;
  while (index + 1 < file.movies.length && (file.movies[index + 1]?.offset ?? Infinity) < offset) index++;
  return index;
}

function isG711(family: CodecFamily): family is keyof typeof G711_NAMES {
  return family === 'g711-alaw' || family === 'g711-mulaw';
}

export function inspectIsoBmff(source: ByteSource): ContainerInspection {
  // The report shows no box tree: moofs are read straight into the fragments and sample tables.
  const file = readIsoBmff(source, { fragmentBoxes: false });
  const issues = [...file.issues];
  const tracks: TrackReport[] = [];
  const videoTracks: VideoTrackContext[] = [];
  const declarations = trackDeclarations(file.movies, declaredIn, 'moov');
  // Set below; read when frames are judged, by the video tracks that later moovs declare otherwise.
  let reportFragments: FragmentReport[] = [];
  const { follows, coverage } = fragmentFollowers(declarations, (fragment) => movieAt(file, reportFragments[fragment]?.offset ?? 0));

  for (const track of file.tracks) {
    const family = isoFamily(track);
    const decoded = decodeTrack(track, family, () => readFirstSyncSample(source, track.samples));
    const cut = declarationCut(track, source);
    if (!cut) issues.push(...decoded.issues);
    const pasp = track.pixelAspectRatio && reducedRatio(track.pixelAspectRatio.hSpacing, track.pixelAspectRatio.vSpacing);
    const report: TrackReport = {
      number: track.id,
      ...(track.box ? { offset: track.box.offset } : {}),
      kind: trackKind(track),
      codecId: track.codec,
      family,
      ...(track.kind === 'video' ? { width: track.displayWidth ?? track.width, height: track.displayHeight ?? track.height } : {}),
      ...(track.kind === 'audio' ? { sampleRate: track.sampleRate, channels: track.channelCount } : {}),
      ...(track.timescale > 0 ? { timescale: track.timescale } : {}),
      // The codec's own values (display size after cropping, AudioSpecificConfig channels) win over the
      // sample entry's, which ffmpeg fills with template values.
      ...decoded.track,
      ...firstFrameFormat(source, track),
      ...(decoded.frameRateIsMaximum ? constantFrameRate(track) : {}),
      ...(pasp ? { containerAspectRatio: pasp } : {}),
      ...(track.rotation && track.kind === 'video' ? { rotation: track.rotation } : {}),
      ...(cut ? { declarationCut: true } : {}),
    };
    tracks.push(report);
    const edits = editListIssue(track);
    if (edits) issues.push(edits);
    const rotated = rotationIssue(track, report);
    if (rotated) issues.push(rotated);
    if (track.protectionScheme !== undefined) issues.push(encryptedIssue(track));
    else if (family === 'h264' || family === 'h265') videoTracks.push({ ...videoContext(track.id, family, decoded), ...coverage(track.id, 0) });
  }
  // A track declared otherwise in a later moov: each declaration's codec configuration is judged as the
  // first's, a codec the track had not been declared with so far also as a codec (once the fragments
  // are known, below), and the video frames after it by it.
  const newCodecs: { track: Track; k: number; family: CodecFamily; declaredIn: string; offset: number }[] = [];
  for (const [number, { tracks: later, declaredIn }] of declarations.byNumber) {
    later.forEach((track, k) => {
      if (k === 0 || declarationCut(track, source)) return;
      const family = isoFamily(track);
      const decoded = decodeTrack(track, family);
      issues.push(...decoded.issues);
      if (bringsNewCodec(later, k, (declaration) => `${declaration.codec} ${isoFamily(declaration)}`)) {
        newCodecs.push({ track, k, family, declaredIn: declaredIn[k] ?? '', offset: decoded.track.codecPrivate?.offset ?? track.box?.offset ?? 0 });
      }
      if ((family !== 'h264' && family !== 'h265') || track.protectionScheme !== undefined) return;
      videoTracks.push({ ...videoContext(number, family, decoded), ...coverage(number, k) });
      widenReorderLimit(tracks.find((shown) => shown.number === number), decoded.track.maxReorderFrames);
    });
  }
  pushAll(issues, declarations.changes);
  if (!file.movie && file.fragments.length > 0) {
    issues.push(
      issue(
        'warning',
        'INIT_SEGMENT_MISSING',
        'Movie fragments without a moov: this is a media segment without its init segment, so the tracks\' codecs, codec private data and timescales are unknown, and with them every time.',
        0,
        'Inspect the init segment and its media segments together, e.g. cat init.mp4 segment.m4s | kvs-inspect -',
      ),
    );
  }
  const frames = framesInFileOrder(file.tracks, moovSampleCounts(file));
  const moofs = file.fragments.map((fragment) => ({
    offset: fragment.offset,
    end: fragment.mdat ? fragment.mdat.offset + fragment.mdat.size : fragment.offset + fragment.size,
    timeMs: null,
  }));
  // A plain MP4 is cut as a KVS producer (kvs-put) cuts it for PutMedia: a fragment per GOP.
  const firstVideo = tracks.find((track) => track.kind === 'video')?.number;
  const spans = file.kind === 'plain' ? cutAtKeyframes(frames, firstVideo, source.size, () => true) : withMoovSamplesCut(frames, withMoofsJoinedIntoFragments(moofs, frames, tracks, moofsAfterStyp(file)), firstVideo);
  reportFragments = fragmentsFromFrames(spans, frames, tracks);
  const laterDeclarations = newCodecs.map(({ track, k, family, declaredIn, offset }): LaterDeclaration => {
    const scope = declarationScope(declaredIn, reportFragments.length, follows(track.id, k));
    if (track.protectionScheme !== undefined) issues.push(encryptedIssue(track, scope));
    return { number: track.id, kind: trackKind(track), codecId: track.codec, family, offset, scope };
  });
  return {
    report: {
      format: file.kind === 'plain' || file.kind === 'unknown' ? 'mp4' : 'fragmented-mp4',
      size: source.size,
      tracks,
      fragments: reportFragments,
      frames,
      issues,
    },
    videoTracks,
    laterDeclarations,
    mediaData: file.mediaData,
  };
}

/**
 * KVS cuts a fragment at each video keyframe; a moof is one only when it opens with one. A moof without
 * video (each track in moofs of its own: ffmpeg's separate_moof, ISMV) joins the fragment of the last
 * keyframe that plays at or before the middle of its frames' span (by file order, the fragment of the
 * video moof before it, when times are unknown or do not increase), so that a fragment holds its video and
 * the audio that goes with it, as a producer would send them, whichever track's moof comes first. (The
 * middle, not the start: audio cut where a GOP's keyframe is decoded starts before it plays, when B-frames
 * delay it.) A moof whose video starts after a keyframe joins the fragment before it: a chunk of a
 * low-latency CMAF fragment, or a moof cut by time in a progressive file; unless a styp opens it, as a
 * segment of its own (then FRAGMENT_NOT_KEYFRAME_START says what is wrong). A moof without video whose
 * frames span more than two fragments (GStreamer's mp4mux writes a second of audio to a moof of its own
 * between GOPs of a fifth of that) is spread: each frame goes to the fragment of the last keyframe that
 * plays at or before it, as kvs-put sends them. `frames.fragment` is renumbered to match.
 */
function withMoofsJoinedIntoFragments(moofs: readonly FragmentSpan[], frames: FrameTable, tracks: readonly TrackReport[], segmentStarts: readonly number[]): FragmentSpan[] {
  const video = new Set(tracks.filter((track) => track.kind === 'video').map((track) => track.number));
  if (video.size === 0) return [...moofs];
  /** Per moof: 0 no video, 1 video opening with a keyframe, 2 video opening without one. */
  const opening = new Uint8Array(moofs.length);
  /** Per moof: its first video frame's time (moofs with video), else the middle of its frames' span. */
  const timeMs = new Float64Array(moofs.length).fill(NaN);
  const startMs = new Float64Array(moofs.length).fill(NaN);
  const endMs = new Float64Array(moofs.length).fill(NaN);
  for (let i = 0; i < frames.count; i++) {
    const moof = frames.fragment[i] ?? -1;
    if (moof < 0 || moof >= moofs.length) continue;
    const pts = frames.ptsMs[i] ?? NaN;
    if (video.has(frames.track[i] ?? 0)) {
      if (opening[moof] === 0) {
        opening[moof] = frames.keyframe[i] === 1 ? 1 : 2;
        timeMs[moof] = pts;
      }
    } else if (opening[moof] === 0) {
      if (!(pts >= (timeMs[moof] ?? NaN))) timeMs[moof] = pts;
      const end = pts + Math.max(0, frames.durationMs[i] ?? 0);
      if (!(end <= (endMs[moof] ?? NaN))) endMs[moof] = end;
    }
  }
  for (let m = 0; m < moofs.length; m++) {
    if (opening[m] !== 0) continue;
    startMs[m] = timeMs[m] ?? NaN;
    timeMs[m] = ((timeMs[m] ?? NaN) + (endMs[m] ?? NaN)) / 2;
  }
  const firstWithVideo = opening.findIndex((kind) => kind !== 0);
  if (firstWithVideo < 0) return [...moofs];
  const segmentStart = new Set(segmentStarts);
  const joined: FragmentSpan[] = [];
  /** Per fragment, when its opening keyframe plays. */
  const anchors: number[] = [];
  const into = new Int32Array(moofs.length).fill(-1);
  const join = (index: number, fragment: number): void => {
    const target = joined[fragment];
    const moof = moofs[index];
    if (!target || !moof) return;
    target.offset = Math.min(target.offset, moof.offset);
    target.end = Math.max(target.end, moof.end);
    into[index] = fragment;
  };
  moofs.forEach((moof, index) => {
    if (opening[index] === 0) return; // placed below, by time
    const opens = opening[index] === 1 || (opening[index] === 2 && segmentStart.has(moof.offset));
    if (joined.length === 0 || (opens && index > firstWithVideo)) {
      joined.push({ ...moof });
      anchors.push(timeMs[index] ?? NaN);
      into[index] = joined.length - 1;
    } else {
      join(index, joined.length - 1);
    }
  });
  const byTime = anchors.every((anchor, k) => k === 0 || anchor > (anchors[k - 1] ?? Infinity)) && !Number.isNaN(anchors[0] ?? NaN);
  let videoBefore = 0; // the fragment of the last video moof before, for the file-order rule
  /** Moofs without video whose frames span more than two fragments: each frame goes where it plays. */
  const spread = new Set<number>();
  moofs.forEach((_, index) => {
    if (opening[index] !== 0) {
      videoBefore = into[index] ?? 0;
      return;
    }
    const pts = timeMs[index] ?? NaN;
    join(index, byTime && !Number.isNaN(pts) ? lastAtOrBefore(anchors, pts) : videoBefore);
    if (byTime && lastAtOrBefore(anchors, endMs[index] ?? NaN) - lastAtOrBefore(anchors, startMs[index] ?? NaN) > 1) spread.add(index);
  });
  if (joined.length === moofs.length) return joined;
  for (let i = 0; i < frames.count; i++) {
    const moof = frames.fragment[i] ?? -1;
    if (moof < 0 || moof >= moofs.length) continue;
    frames.fragment[i] = spread.has(moof) ? lastAtOrBefore(anchors, frames.ptsMs[i] ?? NaN) : (into[moof] ?? moof);
  }
  return joined;
}

/** The offsets of the moofs that a styp opens (the first moof after each styp): segments of their own. */
function moofsAfterStyp(file: IsoBmffFile): number[] {
  const starts: number[] = [];
  let afterStyp = false;
  for (const box of file.boxes) {
    if (box.type === 'styp') afterStyp = true;
    else if (box.type === 'moof' && afterStyp) {
      starts.push(box.offset);
      afterStyp = false;
    }
  }
  return starts;
}

/**
 * An edit list the frame times do not follow: more than one media edit (a cut, a repeat or a reordering
 * of the media timeline) or one played at a rate other than 1. Frames are timed by the first media edit's
 * shift alone, as kvs-put sends them and as KVS, which knows no edit lists, would play them.
 */
function editListIssue(track: Track): ReturnType<typeof issue> | undefined {
  const media = track.edits.filter((edit) => edit.mediaTime !== -1);
  if (media.length < 2 && media.every((edit) => edit.mediaRate === 1)) return undefined;
  const elst = track.box?.children?.find((child) => child.type === 'edts')?.children?.find((child) => child.type === 'elst');
  const what = media.length > 1 ? `${media.length} media edits` : `a media edit at rate ${media[0]?.mediaRate ?? 0}`;
  return issue(
    'warning',
    'EDIT_LIST_NOT_APPLIED',
    `Track ${track.id}'s edit list has ${what}: the frames are shown at their media times (shifted by the first edit only), not on the edited timeline that players of this file show.`,
    elst?.offset ?? track.box?.offset ?? 0,
    'KVS has no edit lists, and kvs-put sends the frames as stored, so the stream would play the media unedited. To keep the edited timeline, re-encode it (ffmpeg -i in.mp4 -c:v libx264 -c:a aac out.mp4 applies the edits).',
  );
}

/** A video track that players of this file turn for display: a KVS stream has no such rotation. */
function rotationIssue(track: Track, report: TrackReport): ReturnType<typeof issue> | undefined {
  if (!report.rotation) return undefined;
  const tkhd = track.box?.children?.find((child) => child.type === 'tkhd');
  const size = report.width && report.height ? ` (${report.width}x${report.height}${Math.abs(report.rotation) === 180 ? '' : ', on its side'})` : '';
  return issue(
    'warning',
    'VIDEO_ROTATION_NOT_CARRIED',
    `Track ${track.id}'s tkhd matrix turns the picture ${rotationText(report.rotation)} for display; a KVS stream carries no rotation, so HLS/DASH players and GetImages show it as coded${size}.`,
    tkhd?.offset ?? track.box?.offset ?? 0,
    'Rotate the pixels themselves: re-encoding applies the rotation (ffmpeg -i in.mp4 -c:v libx264 out.mp4); kvs-put and copying remuxers send the frames as stored.',
  );
}

/**
 * MPEG audio in MP4 has no codec configuration, and its sample entry's channelcount is the template
 * value 2 (ffmpeg writes it for mono too): the layer, rate and channels of its first frame header.
 */
function firstFrameFormat(source: ByteSource, track: Track): Partial<TrackReport> {
  const samples = track.samples;
  if (!samples?.count || !isMpegAudioSampleEntry(track.originalCodec ?? track.codec, track.esds?.objectTypeIndication)) return {};
  return mpegAudioFormat(source.read(samples.offset[0] ?? 0, Math.min(samples.size[0] ?? 0, 4)), 0) ?? {};
}

/** A track's decoded codec configuration (G.711 has none: its sample entry says it all). */
function decodeTrack(track: Track, family: CodecFamily, firstKeyframe?: () => FrameBytes | undefined): DecodedCodecPrivate {
  if (isG711(family)) return { track: { codec: g711Codec(family), codecName: G711_NAMES[family] }, issues: [] };
  if (family === 'other') {
    const sampleEntry = track.originalCodec ?? track.codec;
    const bitDepth = pcmBitDepth(sampleEntry, track.sampleSize);
    const vorbis = track.esds?.objectTypeIndication === OBJECT_TYPE_VORBIS && track.config ? readVorbisIdentification(track.config.bytes) : undefined;
    return { track: { ...isoBmffCodecNames(sampleEntry, track.esds?.objectTypeIndication), ...(bitDepth ? { bitDepth } : {}), ...vorbis }, issues: [] };
  }
  const decoded = decodeCodecPrivate(family, track.config?.bytes, track.config?.offset ?? track.box?.offset ?? 0, {
    sampleEntry: videoSampleEntry(track),
    firstKeyframe,
    // Not the channelcount: muxers (ffmpeg among them) write the old template value 2 for mono too.
    audio: { sampleRate: track.sampleRate },
  });
  // RFC 6381: an objectTypeIndication other than 0x40 is the whole string.
  const objectType = track.esds?.objectTypeIndication;
  if (family === 'aac' && objectType !== undefined && objectType !== OBJECT_TYPE_MPEG4_AUDIO && decoded.track.codec) decoded.track.codec = `mp4a.${objectType.toString(16)}`;
  return decoded;
}

/** The input ends inside the track's trak: what it lacks may lie past the cut, which BOX_TRUNCATED reports. */
function declarationCut(track: Track, source: ByteSource): boolean {
  const trak = track.box;
  return trak?.truncated === true && trak.offset + trak.size > source.size;
}

function trackKind(track: Track): TrackReport['kind'] {
  return track.kind === 'video' || track.kind === 'audio' ? track.kind : 'other';
}

/** `scope` names the fragments of a later declaration of the track. */
function encryptedIssue(track: Track, scope?: string): Issue {
  const scheme = track.protectionScheme ? ` (scheme '${track.protectionScheme}')` : '';
  return issue(
    'warning',
    'TRACK_ENCRYPTED',
    `Track ${track.id}${scope ? ` (${scope})` : ''} is encrypted${scheme}: its frames are not checked, and KVS HLS/DASH/GetClip cannot package encrypted media.`,
    track.box?.offset ?? 0,
    'KVS stores encrypted fragments as they come, but only clear H.264/H.265 and AAC/G.711 can be played back through HLS, DASH or GetClip; encrypt at rest with the stream\'s KMS key instead.',
  );
}

function videoSampleEntry(track: Track): VideoSampleEntry | undefined {
  return ['avc1', 'avc3', 'hvc1', 'hev1'].includes(track.codec) ? (track.codec as VideoSampleEntry) : undefined;
}

function isoFamily(track: Track): CodecFamily {
  switch (track.originalCodec ?? track.codec) {
    case 'avc1':
    case 'avc3':
      return 'h264';
    case 'hvc1':
    case 'hev1':
      return 'h265';
    case 'mp4a':
      return isAacObjectType(track.esds?.objectTypeIndication) ? 'aac' : 'other';
    case 'alaw':
      return 'g711-alaw';
    case 'ulaw':
      return 'g711-mulaw';
    default:
      return 'other';
  }
}

/**
 * How many of each track's samples the moov holds before its fragments (ffmpeg's frag_keyframe without
 * empty_moov puts the first GOP there): the first sample of the track's first fragment.
 */
function moovSampleCounts(file: IsoBmffFile): Map<number, number> {
  const counts = new Map<number, number>();
  if (file.kind !== 'fragmented') return counts;
  for (const fragment of file.fragments) {
    for (const part of fragment.tracks) if (!counts.has(part.trackId)) counts.set(part.trackId, part.firstSample);
  }
  for (const track of file.tracks) if (!counts.has(track.id)) counts.set(track.id, track.samples?.count ?? 0);
  return counts;
}

/**
 * A fragmented file whose moov also holds samples: those frames (fragment -1) are cut at their keyframes,
 * as in a plain MP4, into fragments before the moofs'.
 */
function withMoovSamplesCut(frames: FrameTable, moofSpans: FragmentSpan[], gopTrack: number | undefined): FragmentSpan[] {
  const inMoov: number[] = [];
  for (let i = 0; i < frames.count; i++) if (frames.fragment[i] === -1) inMoov.push(i);
  if (inMoov.length === 0) return moofSpans;
  const moovFrames = frameTable(inMoov.length);
  for (const i of inMoov) {
    pushFrame(moovFrames, { track: frames.track[i] ?? 0, fragment: 0, offset: frames.offset[i] ?? 0, size: frames.size[i] ?? 0, ptsMs: frames.ptsMs[i] ?? NaN, dtsMs: frames.dtsMs[i] ?? NaN, keyframe: frames.keyframe[i] === 1 });
  }
  const moovSpans = cutAtKeyframes(moovFrames, gopTrack, moofSpans[0]?.offset ?? Infinity, () => true);
  for (let i = 0; i < frames.count; i++) {
    const fragment = frames.fragment[i] ?? -1;
    if (fragment >= 0) frames.fragment[i] = fragment + moovSpans.length;
  }
  inMoov.forEach((i, k) => {
    frames.fragment[i] = moovFrames.fragment[k] ?? 0;
  });
  return [...moovSpans, ...moofSpans];
}

/** Samples of all tracks, merged in the order their bytes sit in the file; those the moov holds in no fragment (-1). */
function framesInFileOrder(tracks: readonly Track[], moovSamples: ReadonlyMap<number, number>): FrameTable {
  const withSamples = tracks.filter((track) => track.samples !== undefined);
  const order = fileOrder(withSamples.map((track) => track.samples?.offset.subarray(0, track.samples.count) ?? new Float64Array(0)));
  const frames = frameTable(order.length);
  const row: FrameRow = { track: 0, fragment: -1, offset: 0, size: 0, ptsMs: 0, dtsMs: 0, keyframe: false, flags: 0 };
  for (let i = 0; i < order.length; i++) {
    const at = order.track[i] ?? 0;
    const index = order.sample[i] ?? 0;
    const track = withSamples[at];
    const samples = track?.samples;
    if (!track || !samples) continue;
    const toMs = track.timescale > 0 ? 1000 / track.timescale : NaN; // no timescale (a media segment alone): times unknown
    const dts = (samples.dts[index] ?? 0) + track.presentationShift;
    row.track = track.id;
    row.fragment = index < (moovSamples.get(track.id) ?? 0) || !samples.fragment ? -1 : (samples.fragment[index] ?? -1);
    row.offset = samples.offset[index] ?? 0;
    row.size = samples.size[index] ?? 0;
    row.ptsMs = (dts + (samples.cto[index] ?? 0)) * toMs;
    row.dtsMs = dts * toMs;
    row.durationMs = (samples.duration[index] ?? 0) * toMs;
    row.keyframe = samples.sync[index] === 1;
    row.flags = samples.flags && sampleIsDisposable(samples.flags[index] ?? 0) ? FrameFlag.Discardable : 0;
    pushFrame(frames, row);
  }
  return frames;
}

/** The frame rate of a track whose samples (all but the last) last the same: what the sample table states. */
function constantFrameRate(track: Track): { frameRate?: number } {
  const samples = track.samples;
  const first = samples?.duration[0] ?? 0;
  if (!samples || first === 0 || track.timescale === 0) return {};
  for (let i = 1; i < samples.count - 1; i++) if (samples.duration[i] !== first) return {};
  return { frameRate: track.timescale / first };
}
