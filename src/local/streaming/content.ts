// What a streaming session shows: which stored fragments (by playback mode and selector), their
// tracks (from the stored stream header), and their samples on the session's media timeline.
//
// Media timeline: producer time minus the session's origin, which is the producer timestamp of the
// session's first fragment less TIMELINE_LEAD_MS (so that decode times before the first presentation
// time, with B-frames, stay positive). Consecutive fragments of a producer are therefore continuous
// (tfdt follows the fragment's own timestamps), and a gap in the producer's timestamps is a gap here.
import { bytesSource } from '../../formats/byteSource';
import { readMatroska } from '../../formats/matroska/readMatroska';
import { codecString, fragmentSamples, packagingTrackFromMatroska, trackConfig } from '../../formats/package';
import type { PackagingSample, PackagingTrack } from '../../formats/package';
import { KvsError } from '../http/errors';
import type { FragmentRecord, FragmentStore } from '../storage/fragmentStore';
import { FRAGMENT_NUMBER_PREFIX_DIGITS, FRAGMENT_SEQUENCE_DIGITS } from '../storage/fragmentStore';
import type { ContainerFormat, StreamingSession } from './session';

export const NO_FRAGMENTS_MESSAGE = 'No fragments found in the stream for the streaming request.';
/** LIVE needs a fragment this recent. */
export const LIVE_WINDOW_MS = 30_000;
export const TIMELINE_LEAD_MS = 1000;
/** LIVE_REPLAY looks at most this many fragments from its start when building one playlist. */
const REPLAY_SCAN_LIMIT = 10_000;
/** ON_DISCONTINUITY: a gap or overlap larger than this between fragments is a discontinuity. */
const DISCONTINUITY_TOLERANCE_MS = 50;

export interface SessionTracks {
  /** Video (track 1) first, then audio when present. */
  tracks: PackagingTrack[];
  timestampScale: number;
}

const trackCache = new Map<string, SessionTracks>();
const MAX_TRACK_CACHE = 256;

/**
 * The tracks of a stored stream header, checked like the service does before it packages:
 * track 1 H.264/H.265, track 2 (if any) AAC or G.711 (AAC only for MPEG_TS), codec private data
 * present and readable.
 */
export function headerTracks(store: FragmentStore, headerId: number, container: ContainerFormat): SessionTracks {
  const key = `${store.dir}\u0000${headerId}`;
  let info = trackCache.get(key);
  if (info === undefined) {
    const file = readMatroska(bytesSource(store.readHeader(headerId)), { blocks: false });
    const segment = file.documents[0]?.segments[0];
    const tracks: PackagingTrack[] = [];
    for (const mkv of segment?.tracks ?? []) {
      if (mkv.number !== 1 && mkv.number !== 2) continue;
      const { track } = packagingTrackFromMatroska(mkv);
      const expected = mkv.number === 1 ? 'H.264 or H.265' : 'AAC or G.711';
      if (!track || (mkv.number === 1) !== (track.kind === 'video')) {
        throw new KvsError('UnsupportedStreamMediaTypeException', `The codec of track ${mkv.number} (${mkv.codecId || 'none'}) is not supported; track ${mkv.number} must be ${expected}.`);
      }
      if (track.codecPrivate.length === 0 && track.codec !== 'alaw' && track.codec !== 'mulaw') {
        throw new KvsError('MissingCodecPrivateDataException', `Missing codec private data in fragment for track ${mkv.number}.`);
      }
      const config = trackConfig(track);
      if (config.issues.some((i) => i.severity === 'error') || codecString(track) === undefined) {
        throw new KvsError('InvalidCodecPrivateDataException', `The codec private data in fragment for track ${mkv.number} is not valid.`);
      }
      tracks.push(track);
    }
    if (!tracks.some((t) => t.trackNumber === 1)) {
      throw new KvsError('UnsupportedStreamMediaTypeException', 'The stream has no track 1 with H.264 or H.265 video.');
    }
    tracks.sort((a, b) => a.trackNumber - b.trackNumber);
    info = { tracks, timestampScale: segment?.info.timestampScale ?? 1_000_000 };
    if (trackCache.size >= MAX_TRACK_CACHE) trackCache.clear();
    trackCache.set(key, info);
  }
  if (container === 'MPEG_TS' && info.tracks.some((t) => t.codec === 'alaw' || t.codec === 'mulaw')) {
    throw new KvsError('UnsupportedStreamMediaTypeException', 'MPEG_TS carries H.264/H.265 video and AAC audio only; track 2 is G.711.');
  }
  return info;
}

/** The store sequence number in a fragment number. */
export function sequenceOf(fragmentNumber: string): number {
  return Number(fragmentNumber.slice(FRAGMENT_NUMBER_PREFIX_DIGITS));
}

export function fragmentNumberFor(store: FragmentStore, seq: number): string {
  return store.fragmentNumberPrefix + String(seq).padStart(FRAGMENT_SEQUENCE_DIGITS, '0');
}

/** The newest `count` fragments in append order. */
export function newestFragments(store: FragmentStore, count: number): FragmentRecord[] {
  const last = store.last();
  if (!last) return [];
  const from = sequenceOf(last.fragmentNumber) - count;
  return store.after(from >= 0 ? fragmentNumberFor(store, from) : undefined, count).slice(-count);
}

/** Fragments with a start timestamp of the session's selector type in [startMs, endMs]. */
function rangeFragments(store: FragmentStore, session: Pick<StreamingSession, 'selector'>, startMs: number, endMs: number, limit: number): FragmentRecord[] {
  if (endMs < startMs) return [];
  const records = store.range(session.selector, startMs, endMs, limit).records;
  if (session.selector !== 'PRODUCER_TIMESTAMP') return records;
  // Duplicate producer start timestamps: the newest fragment wins.
  const byTime = new Map<number, FragmentRecord>();
  for (const record of records) byTime.set(record.producerTimestampMs, record);
  return records.filter((record) => byTime.get(record.producerTimestampMs) === record);
}

/** What one playlist or manifest shows. */
export interface SessionView {
  records: FragmentRecord[];
  /** Position of the first record in the session (HLS EXT-X-MEDIA-SEQUENCE). */
  mediaSequence: number;
  /** No more fragments will be added (ENDLIST, static MPD). */
  complete: boolean;
}

type SessionShape = Pick<StreamingSession, 'mode' | 'selector' | 'startMs' | 'endMs' | 'maxFragments' | 'createdMs' | 'originSeq'>;

export function sessionView(store: FragmentStore, session: SessionShape, now: number): SessionView {
  const max = session.maxFragments;
  const start = session.startMs ?? 0;
  switch (session.mode) {
    case 'ON_DEMAND': {
      const records = rangeFragments(store, session, start, session.endMs ?? start, max);
      return { records, mediaSequence: 0, complete: true };
    }
    case 'LIVE_REPLAY': {
      // Fragments join the playlist as their time (since Start) elapses, like a replay in real time.
      const elapsed = Math.max(0, now - session.createdMs);
      const end = Math.min(session.endMs ?? Number.MAX_SAFE_INTEGER, start + elapsed);
      const all = rangeFragments(store, session, start, end, REPLAY_SCAN_LIMIT);
      const records = all.slice(-max);
      return { records, mediaSequence: all.length - records.length, complete: session.endMs !== undefined && start + elapsed >= session.endMs };
    }
    case 'LIVE': {
      const records = newestFragments(store, max).filter((r) => sequenceOf(r.fragmentNumber) >= session.originSeq);
      const first = records[0];
      return { records, mediaSequence: first ? sequenceOf(first.fragmentNumber) - session.originSeq : 0, complete: false };
    }
  }
}

/**
 * Whether a discontinuity tag goes before records[i]: always under ALWAYS; before a fragment whose
 * codec private data differs from the previous fragment's (`headers`) whatever the mode (the HLS
 * specification requires it with a new EXT-X-MAP); under ON_DISCONTINUITY also before a gap or an
 * overlap of more than 50 ms in the producer timestamps; otherwise never.
 */
export function discontinuityBefore(session: Pick<StreamingSession, 'discontinuity'>, records: readonly FragmentRecord[], i: number, headers?: SessionHeaders): boolean {
  if (session.discontinuity === 'ALWAYS') return true;
  if (i === 0) return false;
  const previous = records[i - 1];
  const current = records[i];
  if (!previous || !current) return false;
  if (headers ? headers.sequenceOf(previous.headerId) !== headers.sequenceOf(current.headerId) : previous.headerId !== current.headerId) return true;
  if (session.discontinuity === 'NEVER') return false;
  return Math.abs(previous.producerTimestampMs + previous.durationMs - current.producerTimestampMs) > DISCONTINUITY_TOLERANCE_MS;
}

/** What tells two stream headers apart for packaging: the tracks and their codec private data. */
function tracksKey(info: SessionTracks): string {
  return JSON.stringify(
    info.tracks.map((t) => [t.trackNumber, t.codec, t.timescale, t.width, t.height, t.sampleRate, t.channels, Buffer.from(t.codecPrivate).toString('hex')]),
  );
}

/** How far the header scan of a session looks (fragments from its start). */
const HEADER_SCAN_LIMIT = 10_000;

/**
 * The codec private data versions of a session, numbered in order of first appearance from 0: the
 * SequenceNumber of getMP4InitFragment.mp4. Stream headers (one per PutMedia connection) with the
 * same tracks and codec private data share a number, so a producer reconnecting with the same
 * encoder settings causes no new init fragment; a header with other codec private data gets the
 * next number the first time it appears in the session (a later return to earlier settings reuses
 * the earlier number). Numbers are stable while a LIVE or LIVE_REPLAY session grows, because they
 * are counted from the session's first fragment (up to HEADER_SCAN_LIMIT fragments).
 */
export class SessionHeaders {
  /** Representative header id per sequence number. */
  private readonly ids: number[] = [];
  private readonly keys: string[] = [];
  private readonly byHeader = new Map<number, number>();

  constructor(
    private readonly store: FragmentStore,
    private readonly container: ContainerFormat,
  ) {}

  /** The session's headers, from its first fragment on. */
  static of(store: FragmentStore, session: SessionShape & Pick<StreamingSession, 'container'>, now: number): SessionHeaders {
    const headers = new SessionHeaders(store, session.container);
    let records: FragmentRecord[];
    if (session.mode === 'LIVE') {
      records = store.after(session.originSeq > 0 ? fragmentNumberFor(store, session.originSeq - 1) : undefined, HEADER_SCAN_LIMIT);
    } else {
      const start = session.startMs ?? 0;
      const end = session.endMs ?? Math.max(start, now + LIVE_WINDOW_MS);
      records = rangeFragments(store, session, start, end, HEADER_SCAN_LIMIT);
    }
    for (const record of records) headers.sequenceOf(record.headerId);
    return headers;
  }

  /** The sequence number of a stored header (a header not seen yet gets the next number). */
  sequenceOf(headerId: number): number {
    const known = this.byHeader.get(headerId);
    if (known !== undefined) return known;
    const key = tracksKey(headerTracks(this.store, headerId, this.container));
    let sequence = this.keys.indexOf(key);
    if (sequence < 0) {
      sequence = this.keys.length;
      this.keys.push(key);
      this.ids.push(headerId);
    }
    this.byHeader.set(headerId, sequence);
    return sequence;
  }

  /** A stored header with the codec private data of sequence number `sequence`. */
  headerIdOf(sequence: number): number | undefined {
    return this.ids[sequence];
  }

  /** How many different codec private data versions the session has. */
  get count(): number {
    return this.ids.length;
  }
}

/** The samples of a fragment on the session's media timeline, per track number. */
export function sessionSamples(store: FragmentStore, record: FragmentRecord, info: SessionTracks, originMs: number): Map<number, PackagingSample[]> {
  const cluster = store.readCluster(record);
  const clusterMs = (record.clusterTimecode * info.timestampScale) / 1e6;
  const { samples } = fragmentSamples(cluster, info.tracks, { timestampScale: info.timestampScale, timeOffsetMs: record.producerTimestampMs - clusterMs - originMs });
  return samples;
}

/** The fragment that starts at `timeMs` on the session's timeline (DASH $Time$ addressing). */
export function fragmentAtTime(store: FragmentStore, originMs: number, timeMs: number): FragmentRecord | undefined {
  const producerMs = originMs + timeMs;
  return store.range('PRODUCER_TIMESTAMP', producerMs, producerMs, 100).records.at(-1);
}

/** Rough media statistics for HLS BANDWIDTH / FRAME-RATE and DASH @bandwidth / @frameRate. */
export function mediaStats(records: readonly FragmentRecord[], video: PackagingTrack): { bandwidth: number; frameRate?: number } {
  const sample = records.slice(0, 20);
  const bytes = sample.reduce((n, r) => n + r.sizeBytes, 0);
  const ms = sample.reduce((n, r) => n + r.durationMs, 0);
  const bandwidth = ms > 0 ? Math.round((bytes * 8 * 1000) / ms) : 0;
  const frameRate = video.frameDurationMs !== undefined && video.frameDurationMs > 0 ? 1000 / video.frameDurationMs : undefined;
  return frameRate === undefined ? { bandwidth } : { bandwidth, frameRate };
}

/** Seconds with three decimals (EXTINF). */
export function seconds3(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
