// The player GETs of HLS and DASH sessions (research §1.6): unsigned, authorised by SessionToken only,
// answered with CORS `access-control-allow-origin: *` so browser players can use them.
//
// MPEG-TS continuity counters continue across the fragments of a session (in append order from the
// session's first fragment), so a playlist needs no EXT-X-DISCONTINUITY for them whatever its
// DiscontinuityMode: the counters a fragment ends with are remembered per session, and a fragment
// whose predecessor was not served yet is preceded by packaging the (at most TS_CHAIN_LOOKBACK)
// fragments before it. Further back than that, the chain restarts at 0.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { initSegment, mediaFragment, tsFragment } from '../../formats/package';
import type { StreamRecord, StreamRegistry } from '../control/streamRegistry';
import { KvsError, sendError } from '../http/errors';
import type { Log } from '../http/router';
import type { Throttle } from '../http/throttle';
import type { StreamStores } from '../media/streamStores';
import type { FragmentRecord, FragmentStore } from '../storage/fragmentStore';
import type { SessionTracks, SessionView } from './content';
import { fragmentAtTime, fragmentNumberFor, headerTracks, NO_FRAGMENTS_MESSAGE, sequenceOf, SessionHeaders, sessionSamples, sessionView } from './content';
import { dashManifest, hlsMasterPlaylist, hlsMediaPlaylist } from './playlists';
import type { SessionTokens, StreamingSession } from './session';

export interface StreamingRouteDeps {
  stores: StreamStores;
  tokens: SessionTokens;
  registry: () => StreamRegistry;
  throttle: () => Throttle;
  log?: Log;
}

const TS_CHAIN_LOOKBACK = 32;
const MAX_CHAIN_SESSIONS = 200;
const MAX_CHAIN_ENTRIES = 64;

const CONTENT_TYPES = { m3u8: 'application/x-mpegURL', mpd: 'application/dash+xml', mp4: 'video/mp4', ts: 'video/MP2T' } as const;

interface Request {
  session: StreamingSession;
  token: string;
  params: URLSearchParams;
  stream: StreamRecord;
  store: FragmentStore;
}

export function streamingRoutes(deps: StreamingRouteDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const chains = new Map<string, Map<number, Record<number, number>>>();

  const serve = (req: IncomingMessage, res: ServerResponse, protocol: string, name: string, url: URL): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new KvsError('InvalidArgumentException', `${req.method ?? ''} is not supported here; the player requests are GETs.`, 405);
    const token = url.searchParams.get('SessionToken') ?? '';
    const session = deps.tokens.verify(token);
    if (session.protocol !== protocol) throw new KvsError('NotAuthorizedException', 'Streaming session token is not valid', 403);
    const stream = deps.registry().getByArn(session.streamARN);
    if (!stream) throw new KvsError('ResourceNotFoundException', 'The stream of this streaming session does not exist any more.');
    const r: Request = { session, token, params: url.searchParams, stream, store: deps.stores.storeFor(stream) };
    const throttle = deps.throttle();
    const now = deps.stores.now();
    const live = session.mode !== 'ON_DEMAND';
    switch (`${protocol}/${name}`) {
      case 'hls/getHLSMasterPlaylist.m3u8': {
        throttle.check('GetHLSMasterPlaylist', session.id);
        const { view, info } = viewAndTracks(r, now);
        return send(req, res, CONTENT_TYPES.m3u8, hlsMasterPlaylist(session, token, info, view), live);
      }
      case 'hls/getHLSMediaPlaylist.m3u8': {
        throttle.check('GetHLSMediaPlaylist', session.id);
        const { view, info } = viewAndTracks(r, now);
        const trackNumber = session.container === 'MPEG_TS' ? (optionalInt(r.params, 'TrackNumber') ?? 1) : requireTrack(r.params, info);
        return send(req, res, CONTENT_TYPES.m3u8, hlsMediaPlaylist(session, token, trackNumber, view, SessionHeaders.of(r.store, session, now)), live);
      }
      case 'dash/getDASHManifest.mpd': {
        throttle.check('GetDASHManifest', session.id);
        // DASH needs one codec private data per session: GetDASHStreamingSessionURL refuses a range
        // with several; a LIVE (or open LIVE_REPLAY) session whose producer changes it later shows
        // only the fragments with the session's first codec private data (SequenceNumber 0).
        const { view } = viewAndTracks(r, now);
        const headers = SessionHeaders.of(r.store, session, now);
        const records = view.records.filter((record) => headers.sequenceOf(record.headerId) === 0);
        const info = tracksOf(r, headers.headerIdOf(0) ?? records[0]?.headerId ?? 1);
        const cut = records.length === view.records.length ? view : { ...view, records, mediaSequence: view.mediaSequence };
        return send(req, res, CONTENT_TYPES.mpd, dashManifest(session, token, info, cut, now, headers), live);
      }
      case 'hls/getMP4InitFragment.mp4':
      case 'dash/getMP4InitFragment.mp4': {
        if (session.container !== 'FRAGMENTED_MP4') throw new KvsError('InvalidArgumentException', 'This session uses MPEG_TS: it has no MP4 init fragments.');
        throttle.check('GetMP4InitFragment', session.id);
        const sequence = optionalInt(r.params, 'SequenceNumber');
        const headerId = sequence !== undefined ? SessionHeaders.of(r.store, session, now).headerIdOf(sequence) : viewAndTracks(r, now).view.records[0]?.headerId;
        if (headerId === undefined) throw new KvsError('ResourceNotFoundException', `The session has no init fragment with SequenceNumber ${sequence ?? 0}.`);
        const info = tracksOf(r, headerId);
        const track = info.tracks.find((t) => t.trackNumber === requireTrack(r.params, info));
        if (!track) throw new KvsError('InvalidArgumentException', 'TrackNumber is not a track of this stream.');
        return send(req, res, CONTENT_TYPES.mp4, initSegment(track).bytes, false);
      }
      case 'hls/getMP4MediaFragment.mp4':
      case 'dash/getMP4MediaFragment.mp4': {
        if (session.container !== 'FRAGMENTED_MP4') throw new KvsError('InvalidArgumentException', 'This session uses MPEG_TS: ask for getTSFragment.ts.');
        throttle.check('GetMP4MediaFragment', session.id);
        const record = requireFragment(r);
        const info = tracksOf(r, record.headerId);
        const trackNumber = requireTrack(r.params, info);
        const track = info.tracks.find((t) => t.trackNumber === trackNumber);
        if (!track) throw new KvsError('InvalidArgumentException', 'TrackNumber is not a track of this stream.');
        const samples = sessionSamples(r.store, record, info, session.originMs).get(trackNumber) ?? [];
        const sequenceNumber = Math.max(1, sequenceOf(record.fragmentNumber) - session.originSeq + 1);
        return send(req, res, CONTENT_TYPES.mp4, mediaFragment(track, samples, { sequenceNumber }).bytes, false);
      }
      case 'hls/getTSFragment.ts': {
        if (session.container !== 'MPEG_TS') throw new KvsError('InvalidArgumentException', 'This session uses FRAGMENTED_MP4: ask for getMP4MediaFragment.mp4.');
        throttle.check('GetTSFragment', session.id);
        const record = requireFragment(r);
        return send(req, res, CONTENT_TYPES.ts, tsBytes(r, record), false);
      }
      default:
        throw new KvsError('ResourceNotFoundException', `There is no ${protocol.toUpperCase()} resource ${name}.`);
    }
  };

  /** A fragment of the session's stream as TS, continuity counters continuing the previous one. */
  const tsBytes = (r: Request, record: FragmentRecord): Uint8Array => {
    const { session, store } = r;
    let chain = chains.get(session.id);
    if (!chain) {
      if (chains.size >= MAX_CHAIN_SESSIONS) chains.delete(chains.keys().next().value ?? '');
      chain = new Map();
      chains.set(session.id, chain);
    }
    const package1 = (rec: FragmentRecord, counters: Record<number, number>): { bytes: Uint8Array; counters: Record<number, number> } => {
      const info = tracksOf(r, rec.headerId);
      const out = tsFragment(info.tracks, sessionSamples(store, rec, info, session.originMs), { continuityCounters: counters });
      return { bytes: out.bytes, counters: out.continuityCounters };
    };
    const seq = sequenceOf(record.fragmentNumber);
    const floor = Math.max(session.originSeq, seq - TS_CHAIN_LOOKBACK);
    let from = seq - 1;
    while (from >= floor && !chain.has(from)) from--;
    let counters: Record<number, number> = from >= floor ? (chain.get(from) ?? {}) : {};
    const catchUp = from >= floor ? from + 1 : floor;
    for (const previous of store.after(catchUp > 0 ? fragmentNumberFor(store, catchUp - 1) : undefined, Math.max(0, seq - catchUp))) {
      const s = sequenceOf(previous.fragmentNumber);
      if (s >= seq) break;
      counters = package1(previous, counters).counters;
      remember(chain, s, counters);
    }
    const out = package1(record, counters);
    remember(chain, seq, out.counters);
    return out.bytes;
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://kvs.local');
    const match = /^\/(hls|dash)\/v1\/([A-Za-z0-9.]+)$/.exec(url.pathname);
    if (!match) return false;
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-allow-headers': '*', 'access-control-max-age': '86400' });
      res.end();
      return true;
    }
    try {
      serve(req, res, match[1] ?? '', match[2] ?? '', url);
    } catch (error) {
      if (!(error instanceof KvsError)) deps.log?.('error', `KVS Local: ${match[1] ?? ''} ${match[2] ?? ''} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const requestId = String(res.getHeader('x-amzn-RequestId') ?? '');
      sendError(res, error, requestId);
    }
    return true;
  };
}

function remember(chain: Map<number, Record<number, number>>, seq: number, counters: Record<number, number>): void {
  chain.delete(seq);
  chain.set(seq, counters);
  while (chain.size > MAX_CHAIN_ENTRIES) chain.delete(chain.keys().next().value ?? -1);
}

function viewAndTracks(r: Request, now: number): { view: SessionView; info: SessionTracks } {
  const view = sessionView(r.store, r.session, now);
  const first = view.records[0] ?? r.store.get(fragmentNumberFor(r.store, r.session.originSeq)) ?? r.store.last();
  if (!first) throw new KvsError('ResourceNotFoundException', NO_FRAGMENTS_MESSAGE);
  return { view, info: tracksOf(r, first.headerId) };
}

function tracksOf(r: Request, headerId: number): SessionTracks {
  try {
    return headerTracks(r.store, headerId, r.session.container);
  } catch (error) {
    if (error instanceof KvsError) throw error;
    throw new KvsError('ResourceNotFoundException', 'The fragment is no longer available.');
  }
}

function optionalInt(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new KvsError('InvalidArgumentException', `${name} must be a non-negative integer, got ${JSON.stringify(text)}.`);
  return Number(text);
}

function requireTrack(params: URLSearchParams, info: SessionTracks): number {
  const trackNumber = optionalInt(params, 'TrackNumber');
  if (trackNumber === undefined) throw new KvsError('InvalidArgumentException', 'TrackNumber is required.');
  if (!info.tracks.some((t) => t.trackNumber === trackNumber)) throw new KvsError('InvalidArgumentException', `TrackNumber ${trackNumber} is not a track of this stream.`);
  return trackNumber;
}

/** The fragment named by FragmentNumber, or (DASH) by Time on the session timeline. */
function requireFragment(r: Request): FragmentRecord {
  const number = r.params.get('FragmentNumber');
  const time = r.params.get('Time');
  let record: FragmentRecord | undefined;
  if (number !== null) {
    if (!/^[0-9]{1,128}$/.test(number)) throw new KvsError('InvalidArgumentException', 'FragmentNumber must be a fragment number.');
    record = r.store.get(number);
  } else if (time !== null) {
    if (!/^-?\d{1,15}$/.test(time)) throw new KvsError('InvalidArgumentException', 'Time must be an integer.');
    record = fragmentAtTime(r.store, r.session.originMs, Number(time));
  } else {
    throw new KvsError('InvalidArgumentException', 'FragmentNumber is required.');
  }
  if (!record) throw new KvsError('ResourceNotFoundException', 'The requested fragment is not in the stream.');
  return record;
}

function send(req: IncomingMessage, res: ServerResponse, type: string, body: string | Uint8Array, live: boolean): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('content-length', bytes.length);
  res.setHeader('cache-control', live ? 'no-cache' : 'max-age=3600');
  if (req.method === 'HEAD') res.end();
  else res.end(bytes);
}
