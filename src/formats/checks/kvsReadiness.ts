// KVS readiness: what the service would reject, or play badly, found before the stream is sent.
// Limits are the service's documented ones (fragments ≤ 10 s and ≤ 50 MB, ≤ 3 tracks, HLS/DASH codecs).
import type { ByteSource } from '../byteSource';
import type { ContainerInspection, DeclaredTracks, LaterDeclaration } from '../inspect/container';
import { fragmentLabel, leadProgram, type FragmentReport, type InspectionReport, type TrackReport } from '../inspect/report';
import type { FrameNalAnalysis } from '../codecs';
import { analyzeVideoFrames, type FrameSelection, type FrameVisitor } from '../inspect/videoFrames';
import { issue, type Issue } from '../issues';
import { payloadAt } from '../isobmff/mdatPayloads';
import { isoTime } from '../isoTime';
import { aspectRatioIssues } from './aspectRatio';
import { fragmentClock, type FragmentClock } from './fragmentClock';
import { frameOrder, MAX_REORDER_FRAMES, type FrameOrder } from './frameOrder';
import { missingTrackIssues } from './missingTracks';
import { openGopIssue } from './openGop';
import { trackContinuityIssues } from './trackContinuity';

export const KVS_LIMITS = {
  maxFragmentDurationMs: 10_000,
  maxFragmentBytes: 50 * 1024 * 1024,
  maxTracks: 3,
  /** Gaps and overlaps between fragments above this are reported (HLS/DASH show a discontinuity). */
  maxFragmentGapMs: 50,
  /** Producer timestamps before this look like an unset clock. */
  earliestPlausibleMs: Date.UTC(2010, 0, 1),
  /** Producer timestamps this far after "now" look wrong. */
  maxFutureMs: 24 * 3600 * 1000,
} as const;

export interface ReadinessOptions {
  /** "Now" for the far-future check; defaults to the current time. */
  nowMs?: number;
  /** The video frames the framing checks read (default: the first of each fragment). */
  frames?: FrameSelection;
  /** Called with each frame the framing checks analysed. */
  frameAnalysed?: FrameVisitor;
}

export function kvsReadinessIssues(inspection: ContainerInspection, source: ByteSource, options: ReadinessOptions = {}): Issue[] {
  const { report } = inspection;
  return [
    ...trackRules(report, inspection.laterDeclarations ?? []),
    ...fragmentRules(report, inspection.declaredTracks),
    ...timestampRules(report, options.nowMs ?? Date.now()),
    ...serviceErrorRules(report),
    ...frameOrderRules(report),
    ...framingRules(inspection, source, options),
  ];
}

type TrackCodec = Pick<TrackReport, 'number' | 'kind' | 'codecId' | 'codecName' | 'family'>;

/** Matroska codec IDs that name a Windows structure, not a codec: the codec is in the codec private data. */
const WRAPPER_CODEC_IDS = ['V_MS/VFW/FOURCC', 'A_MS/ACM'];

function playable(track: TrackCodec): boolean {
  if (track.kind === 'video') return track.family === 'h264' || track.family === 'h265';
  return track.kind === 'audio' && (track.family === 'aac' || track.family === 'g711-alaw' || track.family === 'g711-mulaw');
}

/** `scope` names the fragments of a later declaration of the track (LaterDeclaration). */
function notPlayableIssue(track: TrackCodec, offset: number, scope?: string): Issue {
  const codec = WRAPPER_CODEC_IDS.includes(track.codecId) && track.codecName ? `${track.codecId}: ${track.codecName}` : track.codecId;
  const named = `Track ${track.number} (${codec}${scope ? `; ${scope}` : ''})`;
  const media = 'H.264 or H.265 video with optional AAC audio (DASH and GetClip also G.711, with H.264)';
  if (track.family === 'aac-latm') {
    return issue('warning', 'CODEC_NOT_PLAYABLE', `${named} is AAC in LATM/LOAS framing, which KVS HLS/DASH/GetClip cannot package: they take AAC with an AudioSpecificConfig, as an ADTS stream gives it.`, offset,
      'Write the AAC in ADTS (ffmpeg: without -mpegts_flags latm), or remux it to raw AAC frames (A_AAC with its AudioSpecificConfig).');
  }
  if (track.kind === 'other') {
    return issue('warning', 'CODEC_NOT_PLAYABLE', `${named} is neither video nor audio: KVS HLS/DASH/GetClip package only ${media}.`, offset,
      'Send only the video and audio tracks (ffmpeg: -map 0:v:0 -map 0:a:0); GetMedia would return this one, HLS/DASH would not play it.');
  }
  return issue('warning', 'CODEC_NOT_PLAYABLE', `${named} is not a codec KVS HLS/DASH/GetClip can package: they take ${media}.`, offset,
    'The service stores any codec, but HLS/DASH sessions answer UnsupportedStreamMediaTypeException. Encode video as H.264/H.265 and audio as AAC.');
}

function trackRules(report: InspectionReport, laterDeclarations: readonly LaterDeclaration[]): Issue[] {
  const out: Issue[] = [];
  // An MPEG-TS with several programs makes a KVS stream of one (TS_SEVERAL_PROGRAMS names it).
  const program = leadProgram(report.tracks);
  // A track whose declaration the input cuts is shown as far as it goes, not judged (the cut is reported).
  const tracks = report.tracks.filter((track) => !track.declarationCut && (program === undefined || track.program === program));
  if (tracks.length > KVS_LIMITS.maxTracks) {
    out.push(issue('error', 'TOO_MANY_TRACKS', `The stream has ${tracks.length} tracks; KVS accepts at most ${KVS_LIMITS.maxTracks}.`, tracks[KVS_LIMITS.maxTracks]?.offset ?? 0, 'Send at most one video and two audio tracks per stream.'));
  }
  for (const track of tracks) {
    // An empty codec ID is a track known only from its fragments (INIT_SEGMENT_MISSING says so).
    if (!playable(track) && track.codecId !== '') out.push(notPlayableIssue(track, track.codecPrivate?.offset ?? track.offset ?? 0));
  }
  for (const declaration of laterDeclarations) {
    if (!playable(declaration)) out.push(notPlayableIssue(declaration, declaration.offset, declaration.scope));
  }
  out.push(...g711Rules(tracks), ...aspectRatioIssues(tracks));
  // The track numbers KVS means are those of the MKV a producer sends: only Matroska has them already.
  out.push(...(report.format === 'matroska' || report.format === 'webm' ? trackNumberRules(tracks) : renumberedTrackRules(report.format, tracks)));
  return out;
}

/**
 * An MPEG-TS numbers its streams by PID and an MP4 its tracks by track_ID, neither of which reaches KVS:
 * a producer (or the remuxer, src/formats/remux) writing the MKV makes the first video track 1 and the
 * first audio track 2, whatever their order in the file, and HLS/DASH/GetClip play only those. What
 * matters is how many there are.
 */
function renumberedTrackRules(format: InspectionReport['format'], tracks: readonly TrackReport[]): Issue[] {
  const video = tracks.find((track) => track.kind === 'video');
  const audio = tracks.find((track) => track.kind === 'audio');
  const ts = format === 'mpeg-ts';
  return tracks
    .filter((track) => track !== video && track !== audio && track.kind !== 'other')
    .map((track) =>
      issue(
        'warning',
        'TRACK_NOT_PACKAGED',
        `${ts ? 'Stream PID' : 'Track'} ${track.number} (${track.kind}) will not be played: a KVS stream made of this ${ts ? 'TS' : 'MP4'} would carry it as a further track, and KVS HLS/DASH/GetClip play one video track and one audio track.`,
        track.offset ?? 0,
        `Send one video and at most one audio ${ts ? 'stream' : 'track'}; GetMedia still returns every track.`,
      ),
    );
}

/**
 * G.711 is packaged by fewer APIs than AAC (the KVS playback requirements): HLS takes AAC audio only, DASH
 * G.711 with H.264 video only, GetClip G.711 A-law with H.264 video only. A warning when no API packages
 * the track, otherwise a note of the ones that do not.
 */
function g711Rules(tracks: readonly TrackReport[]): Issue[] {
  const withH264 = tracks.some((track) => track.family === 'h264');
  const out: Issue[] = [];
  for (const track of tracks) {
    if (track.family !== 'g711-alaw' && track.family !== 'g711-mulaw') continue;
    const law = track.family === 'g711-alaw' ? 'A-law' : 'mu-law';
    const refused = ['HLS sessions take AAC audio only'];
    if (!withH264) refused.push('DASH sessions take G.711 only with H.264 video');
    if (!withH264 || law === 'mu-law') refused.push('GetClip takes G.711 only as A-law, with H.264 video');
    out.push(
      issue(
        withH264 ? 'info' : 'warning',
        'G711_NOT_PACKAGED_EVERYWHERE',
        `Track ${track.number} is G.711 ${law}: ${refused.join('; ')}.`,
        track.codecPrivate?.offset ?? track.offset ?? 0,
        'Encode the audio as AAC to play it through every KVS API; GetMedia returns any track.',
      ),
    );
  }
  return out;
}

/**
 * HLS/DASH/GetClip package track 1 as the video (or, audio only, as the audio) and track 2 as the audio:
 * a Matroska track numbered otherwise is not played, whatever its place in the list.
 */
function trackNumberRules(tracks: readonly TrackReport[]): Issue[] {
  const out: Issue[] = [];
  const first = tracks.find((track) => track.number === 1);
  const video = first?.kind === 'video' ? first : tracks.find((track) => track.kind === 'video');
  if (video && first?.kind !== 'video') {
    const what = first ? `Track 1 is ${first.kind === 'other' ? 'neither video nor audio' : first.kind}` : 'No track is numbered 1';
    out.push(issue('warning', 'VIDEO_NOT_TRACK_1', `${what}; KVS HLS/DASH/GetClip take the video as track 1 (it is track ${video.number}).`, video.offset ?? 0, 'Give the video track number 1 and the audio track number 2.'));
  }
  for (const track of tracks) {
    // Tracks of other kinds already have CODEC_NOT_PLAYABLE.
    if (track === video || track === first || track.kind === 'other') continue;
    if (track.number === 2 && track.kind === 'audio' && video) continue; // (a misnumbered video has its own issue)
    out.push(
      issue(
        'warning',
        'TRACK_NOT_PACKAGED',
        `Track ${track.number} (${track.kind}) will not be played: KVS HLS/DASH/GetClip package track 1 (video, or audio alone) and track 2 (audio).`,
        track.offset ?? 0,
        'Send one video track numbered 1 and at most one audio track numbered 2; GetMedia still returns every track.',
      ),
    );
  }
  return out;
}

function fragmentRules(report: InspectionReport, declaredTracks: DeclaredTracks | undefined): Issue[] {
  const missing = declaredTracks && missingTrackIssues(report, declaredTracks);
  const out: Issue[] = [...(missing?.issues ?? [])];
  const clock = fragmentClock(report);
  let previousStart: number | null = null;
  const backwards = new Set<number>();
  const withVideo = fragmentsWithVideo(report);
  for (const fragment of report.fragments) {
    if (fragment.frameCount === 0) continue;
    const where = fragmentLabel(fragment);
    if (!fragment.keyframeStart) {
      const what = withVideo && withVideo[fragment.index] !== 1 ? 'has no video frame, so it does not start with a keyframe' : 'does not start with a keyframe';
      out.push(issue('error', 'FRAGMENT_NOT_KEYFRAME_START', `${where} ${what}.`, fragment.offset, 'Start every cluster/fragment at an IDR frame; KVS fragments are the unit of playback and must be independently decodable.'));
    }
    if (fragment.durationMs !== null && fragment.durationMs > KVS_LIMITS.maxFragmentDurationMs) {
      // Without video, a producer chooses where clusters start; with it, keyframes decide.
      const hint = withVideo ? 'Use a keyframe interval of 10 s or less (1–2 s is typical); PutMedia rejects longer fragments.' : 'Start a new cluster at least every 10 s (kvs-put cuts audio every 2 s); PutMedia rejects longer fragments.';
      out.push(issue('error', 'FRAGMENT_TOO_LONG', `${where} lasts ${(fragment.durationMs / 1000).toFixed(3)} s; KVS allows at most 10 s.`, fragment.offset, hint));
    }
    if (fragment.size > KVS_LIMITS.maxFragmentBytes) {
      out.push(issue('error', 'FRAGMENT_TOO_LARGE', `${where} is ${(fragment.size / 1048576).toFixed(1)} MB; KVS allows at most 50 MB.`, fragment.offset, 'Lower the bit rate or the keyframe interval.'));
    }
    const start = clock.startOf(fragment);
    if (start !== null) {
      if (previousStart !== null && start < previousStart) {
        backwards.add(fragment.index);
        out.push(backwardsFragmentIssue(clock, fragment, start, previousStart));
      }
      previousStart = start;
    }
  }
  return [...out, ...trackContinuityIssues(report, KVS_LIMITS.maxFragmentGapMs, backwards, { missing: missing?.isMissing, clock })];
}

/** A fragment that starts before the one before it, on the clock fragments are ordered by. */
function backwardsFragmentIssue(clock: FragmentClock, fragment: FragmentReport, start: number, previousStart: number): Issue {
  const where = fragmentLabel(fragment);
  if (clock.kind === 'producer') {
    return issue(
      'error',
      'TIMECODE_BACKWARDS',
      `${where} has producer timestamp ${isoTime(start)}, before the previous fragment's (${isoTime(previousStart)}).`,
      fragment.offset,
      'KVS orders fragments by producer timestamp, so HLS/DASH/GetClip put this one before the fragments above it; within one PutMedia session the service rejects it (4004 FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS). Check the producer clock, and the start timestamp each session sends.',
    );
  }
  return issue('error', 'TIMECODE_BACKWARDS', `${where} starts at ${milliseconds(start)}, before the previous fragment (${milliseconds(previousStart)}).`, fragment.offset, 'Timecodes must increase; PutMedia answers with an error for a fragment timecode lower than the previous one.');
}

/** A time in ms as messages show it: to the microsecond (times come from 90 kHz or ns clocks). */
function milliseconds(value: number): string {
  return `${Number(value.toFixed(3))} ms`;
}

/** 1 for each fragment with a video frame; undefined when the stream has no video track. */
function fragmentsWithVideo(report: InspectionReport): Uint8Array | undefined {
  const video = new Set(report.tracks.filter((track) => track.kind === 'video').map((track) => track.number));
  if (video.size === 0) return undefined;
  const { frames } = report;
  const found = new Uint8Array(report.fragments.length);
  for (let i = 0; i < frames.count; i++) {
    const fragment = frames.fragment[i] ?? -1;
    if (fragment >= 0 && fragment < found.length && video.has(frames.track[i] ?? 0)) found[fragment] = 1;
  }
  return found;
}

/** Timecodes this far after 1970 cannot be relative to a recording's start: they are absolute times. */
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

const CLOCK_HINT = 'Set the device clock (NTP) before streaming, or use server timestamps for playback.';

/**
 * Producer timestamps (the KVS tag, or without it the fragment's timecode, which KVS takes as one when it
 * is absolute) from an unset clock or from the future: each reported once, at its first fragment.
 */
function timestampRules(report: InspectionReport, nowMs: number): Issue[] {
  const future = nowMs + KVS_LIMITS.maxFutureMs;
  const earliest = KVS_LIMITS.earliestPlausibleMs;
  const tagged = report.fragments.filter((fragment) => fragment.kvs?.producerTimestampMs !== undefined);
  const untagged = report.fragments.filter((fragment) => fragment.kvs?.producerTimestampMs === undefined && fragment.startMs !== null);
  const producer = (fragment: FragmentReport): number => fragment.kvs?.producerTimestampMs ?? 0;
  const start = (fragment: FragmentReport): number => fragment.startMs ?? 0;
  const asTime = (fragment: FragmentReport): string => `${fragmentLabel(fragment)} starts at timecode ${milliseconds(start(fragment))}: ${isoTime(start(fragment))} as time since 1970`;
  return [
    ...once(tagged.filter((f) => producer(f) < earliest), (first, more) =>
      issue('warning', 'PRODUCER_TIMESTAMP_IMPLAUSIBLE', `${fragmentLabel(first)} has producer timestamp ${isoTime(producer(first))}, which looks like an unset clock${more}.`, first.offset, CLOCK_HINT)),
    ...once(untagged.filter((f) => start(f) >= ONE_YEAR_MS && start(f) < earliest), (first, more) =>
      issue('warning', 'PRODUCER_TIMESTAMP_IMPLAUSIBLE', `${asTime(first)}, which looks like an unset clock${more}.`, first.offset, CLOCK_HINT)),
    ...once(tagged.filter((f) => producer(f) > future), (first, more) =>
      issue('warning', 'PRODUCER_TIMESTAMP_IN_FUTURE', `${fragmentLabel(first)} has producer timestamp ${isoTime(producer(first))}, in the future${more}.`, first.offset, 'Check the device clock and the timecode scale (milliseconds vs. 100 ns units).')),
    ...once(untagged.filter((f) => start(f) > future), (first, more) =>
      issue(
        'warning',
        'PRODUCER_TIMESTAMP_IN_FUTURE',
        `${asTime(first)}, in the future${more}.`,
        first.offset,
        'Check the device clock and the timecode scale (TimestampScale is in ns per tick: 1000000 for milliseconds; a stream in 100 ns units needs 100).',
      )),
  ];
}

/** One issue for fragments that share a problem, made from the first: "(and N more fragments)". */
function once(fragments: readonly FragmentReport[], make: (first: FragmentReport, more: string) => Issue): Issue[] {
  const first = fragments[0];
  if (!first) return [];
  return [make(first, andMore(fragments.length - 1, 'fragment'))];
}

/** " (and 3 more fragments)", or nothing for none. */
function andMore(count: number, noun: string): string {
  return count > 0 ? ` (and ${count} more ${noun}${count > 1 ? 's' : ''})` : '';
}

/** GetMedia and GetMediaForFragmentList put an error in the stream, in tags, where a fragment could not be served. */
function serviceErrorRules(report: InspectionReport): Issue[] {
  const out: Issue[] = [];
  for (const fragment of report.fragments) {
    const kvs = fragment.kvs;
    if (kvs?.errorCode === undefined && kvs?.errorId === undefined) continue;
    const what = `${kvs.errorCode ?? 'an error'}${kvs.errorId === undefined ? '' : ` (error id ${kvs.errorId})`}${kvs.errorMessage ? `: ${kvs.errorMessage}` : ''}`;
    const number = kvs.fragmentNumber === undefined ? '' : ` for fragment ${kvs.fragmentNumber}`;
    out.push(
      issue(
        'error',
        'KVS_SERVICE_ERROR',
        `Fragment ${fragment.index} is the service's error${number} instead of media: ${what}.`,
        fragment.offset,
        'The reading side lost this fragment: error id 3000 is a fragment not found (expired or never stored), 3002 a storage write error, 4500-4506 a KMS key problem, 5000 an internal error. Read it again or from another start selector.',
      ),
    );
  }
  return out;
}

/** B-frames (video), and frames whose timecodes go back within a fragment (video and audio). */
function frameOrderRules(report: InspectionReport): Issue[] {
  const { frames } = report;
  const out: Issue[] = [];
  for (const track of report.tracks) {
    if (track.kind === 'other') continue;
    const reorderLimit = track.kind === 'video' ? (track.maxReorderFrames ?? MAX_REORDER_FRAMES) : 0;
    const order = frameOrder(frames, track.number, reorderLimit);
    const reordered = order.firstReordered;
    if (track.kind === 'video' && reordered !== null) {
      out.push(
        issue(
          'warning',
          'B_FRAMES',
          `Track ${track.number} has B-frames: presentation order differs from decode order (first at byte ${frames.offset[reordered]}).`,
          (frames.offset[reordered] ?? 0),
          'KVS stores them, but some consumers (WebRTC, simple parsers, some HLS players with MPEG-TS) handle them badly; live cameras usually disable B-frames (e.g. x264 -bf 0, baseline/main without B).',
        ),
      );
    }
    if (order.backwards.length > 0) out.push(backwardsIssue(report, track, reorderLimit, order.backwards));
    if (order.repeated.length > 0) out.push(repeatedIssue(report, track, order.repeated));
  }
  return out;
}

/** One issue for a track's frames that go back in time, at the first. */
function backwardsIssue(report: InspectionReport, track: TrackReport, reorderLimit: number, backwards: FrameOrder['backwards']): Issue {
  const { frames } = report;
  const [first = { row: 0, latestMs: 0 }, ...others] = backwards;
  const fragment = report.fragments[frames.fragment[first.row] ?? -1];
  const where = fragment ? ` in ${fragmentLabel(fragment)}` : '';
  const latest = milliseconds(first.latestMs);
  const before = reorderLimit === 0 ? `the frame decoded before it (at ${latest})` : `more than ${reorderLimit} frames decoded before it (the latest at ${latest})`;
  const limit = track.kind !== 'video' ? '' : track.maxReorderFrames === undefined ? `, further back than B-frames reorder (${MAX_REORDER_FRAMES} frames at most)` : `, and the SPS allows reordering by ${reorderLimit} frames`;
  return issue(
    'warning',
    'FRAME_TIMECODE_BACKWARDS',
    `Track ${track.number}'s timecodes go back${where}: the frame at byte ${frames.offset[first.row]} is at ${milliseconds(frames.ptsMs[first.row] ?? 0)}, before ${before}${limit}${andMore(others.length, 'time')}.`,
    frames.offset[first.row] ?? 0,
    'Give frames increasing timecodes (audio in capture order; video in decode order, reordered only by B-frames); HLS/DASH players stall or skip where time goes back.',
  );
}

/** One issue for a track's frames that share their timecode with a frame before them, at the first. */
function repeatedIssue(report: InspectionReport, track: TrackReport, rows: readonly number[]): Issue {
  const { frames } = report;
  const first = rows[0] ?? 0;
  const fragment = report.fragments[frames.fragment[first] ?? -1];
  const where = fragment ? `, in ${fragmentLabel(fragment)}` : '';
  const count = rows.length === 1 ? 'a frame' : `${rows.length} frames`;
  return issue(
    'warning',
    'FRAME_TIMECODE_REPEATED',
    `Track ${track.number} has ${count} at the same timecode as a frame before (the first at byte ${frames.offset[first]}, at ${milliseconds(frames.ptsMs[first] ?? 0)}${where}).`,
    frames.offset[first] ?? 0,
    'Give every frame its own timecode; players drop or stall on frames that share one, and a fragment whose frames share one has no length. Many frames on few timecodes usually means timestamps in the wrong unit (the producer SDKs take 100 ns units; a Matroska TimestampScale of 1000000 counts milliseconds).',
  );
}

/**
 * A fragment opened by a frame its container marks as a keyframe whose picture is no random access point
 * (for H.264 not an IDR, for H.265 not an IRAP: IDR, CRA, BLA). An I picture is an open-GOP start, and a
 * P/B picture with a recovery point SEI a gradual refresh point (intra refresh, built up over frames):
 * decoding can start there, with broken pictures at first. A P/B picture without one is no keyframe at all.
 */
function notRandomAccessIssue(codec: 'h264' | 'h265', fragment: FragmentReport, offset: number, analysis: FrameNalAnalysis): Issue {
  const picture = codec === 'h264' ? 'an IDR picture' : 'an IRAP picture (IDR, CRA or BLA)';
  const slices = `slices: ${analysis.sliceTypes.join(', ')}`;
  const where = fragmentLabel(fragment);
  if (!analysis.sliceTypes.includes('I') && !analysis.recoveryPoint) {
    return issue(
      'error',
      'FRAGMENT_START_FALSE_KEYFRAME',
      `${where} starts with a frame marked as a keyframe that is none: not ${picture}, no I slice (${slices}) and no recovery point SEI, so no decoder can start there.`,
      offset,
      'The keyframe flag (the producer SDK\'s FRAME_FLAG_KEY_FRAME, a SimpleBlock\'s keyframe bit) must be set on IDR frames only, and every cluster/fragment start at one; KVS fragments must be independently decodable.',
    );
  }
  const kind = analysis.sliceTypes.includes('I') ? 'an open-GOP start' : 'a gradual refresh point (intra refresh, with a recovery point SEI), where the picture is whole only frames later';
  return issue(
    'warning',
    'FRAGMENT_START_NOT_RANDOM_ACCESS',
    `${where} starts with a frame marked as a keyframe that is not ${picture} (${slices}): ${kind}.`,
    offset,
    'HLS/DASH players, GetClip and GetImages start decoding at a fragment\'s first frame; frames that refer to the GOP before it show broken pictures. Start every fragment at an IDR (x264: open-gop=0, and no intra-refresh).',
  );
}

/**
 * Framing problems of an MP4 frame whose bytes are not inside an mdat are those of whatever bytes its
 * sample offsets point at. (Not SAMPLE_DATA_PAST_END: a file cut short has frames of its own to judge.)
 */
const MISPLACED_FRAME_HINT =
  'This frame\'s bytes are not inside any mdat (see SAMPLE_DATA_OUTSIDE_MDAT): its sample offsets point away from the media data, so they may not be a frame at all. Correct the offsets (tfhd base_data_offset, trun data_offset; stco/co64 in a plain MP4) before judging the framing.';

/** Frame `index` of an MP4 lies outside its mdats' payloads (or runs past the one it starts in). */
function outsideMediaData(inspection: ContainerInspection, index: number): boolean {
  const { mediaData, report } = inspection;
  if (!mediaData) return false;
  const start = report.frames.offset[index] ?? 0;
  const end = start + (report.frames.size[index] ?? 0);
  return end > (payloadAt(mediaData, start, end)?.end ?? -1);
}

/**
 * Frame framing and in-band parameter sets, judged on the frames `selection` names (by default the first
 * of every fragment). Each problem is reported once per track, at its first occurrence, with how often
 * it occurred.
 */
function framingRules(inspection: ContainerInspection, source: ByteSource, options: ReadinessOptions): Issue[] {
  const selection = options.frames ?? 'fragment-starts';
  const firsts = new Map<string, { issue: Issue; count: number; track: number; lastFrame: number }>();
  const { frames } = inspection.report;
  const fragmentOfTrack = new Map<number, number>(); // the fragment of each track's last analysed frame
  analyzeVideoFrames(inspection, source, selection, (track, index, analysis) => {
    options.frameAnalysed?.(track, index, analysis);
    const fragment = frames.fragment[index] ?? -1;
    const opensFragment = fragment >= 0 && fragmentOfTrack.get(track.number) !== fragment;
    fragmentOfTrack.set(track.number, fragment);
    // A frame the container marks as a keyframe (else FRAGMENT_NOT_KEYFRAME_START says it) that is no random access point.
    const opened = inspection.report.fragments[fragment];
    const notRandomAccess = opened && opensFragment && frames.keyframe[index] === 1 && analysis.framing !== 'unknown' && !analysis.keyframe && analysis.sliceTypes.length > 0;
    const judged = outsideMediaData(inspection, index) ? analysis.issues.map((found) => ({ ...found, hint: MISPLACED_FRAME_HINT })) : [...analysis.issues];
    if (notRandomAccess) judged.push(notRandomAccessIssue(track.codec, opened, frames.offset[index] ?? 0, analysis));
    const rasl = opened && opensFragment ? openGopIssue(inspection, source, track, index, analysis, opened) : undefined;
    if (rasl) judged.push(rasl);
    for (const found of judged) {
      // One issue per parameter set kind (its message names it: SPS, PPS), counted in frames.
      const key = `${track.number} ${found.code}${found.code === 'INBAND_PARAMETER_SET_DIFFERS' ? ` ${found.message}` : ''}`;
      const seen = firsts.get(key);
      if (!seen) firsts.set(key, { issue: found, count: 1, track: track.number, lastFrame: index });
      else if (seen.lastFrame !== index) {
        seen.count++;
        seen.lastFrame = index;
      }
    }
  });
  // Fragment starts are counted in fragments whatever the selection.
  const unit = (code: string) => (selection === 'every' && !code.startsWith('FRAGMENT_START_') ? 'frames' : 'fragments');
  return [...firsts.values()].map(({ issue: first, count, track }) => ({ ...first, message: `${first.message} (track ${track}${count > 1 ? `; seen in ${count} ${unit(first.code)}` : ''})` }));
}
