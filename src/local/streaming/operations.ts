// GetHLSStreamingSessionURL and GetDASHStreamingSessionURL (kinesis-video-archived-media; research
// §1.5, §6): parameters validated like the service, then a signed session token (session.ts).
import type { StreamRecord } from '../control/streamRegistry';
import { isJsonObject, readStreamRef, requireStreamRef, Validator } from '../control/validate';
import { KvsError } from '../http/errors';
import type { OperationContext, OperationHandler } from '../http/router';
import type { StreamStores } from '../media/streamStores';
import { timestampMember } from '../media/timestamps';
import { headerTracks, LIVE_WINDOW_MS, NO_FRAGMENTS_MESSAGE, sequenceOf, SessionHeaders, sessionView, TIMELINE_LEAD_MS } from './content';
import type { ContainerFormat, DiscontinuityMode, PlaybackMode, SelectorType, SessionTokens, StreamingSession } from './session';

const PLAYBACK_MODES = ['LIVE', 'LIVE_REPLAY', 'ON_DEMAND'];
const SELECTOR_TYPES = ['PRODUCER_TIMESTAMP', 'SERVER_TIMESTAMP'];
const CONTAINER_FORMATS = ['FRAGMENTED_MP4', 'MPEG_TS'];
const DISCONTINUITY_MODES = ['ALWAYS', 'NEVER', 'ON_DISCONTINUITY'];
const DISPLAY = ['ALWAYS', 'NEVER'];
const DAY_MS = 24 * 3600 * 1000;
export const DEFAULT_EXPIRES_SECONDS = 300;

export function streamingSessionOperations(stores: StreamStores, tokens: SessionTokens): Record<string, OperationHandler> {
  return {
    getHLSStreamingSessionURL: { handle: (ctx) => createSession(ctx, stores, tokens, 'hls') },
    getDASHStreamingSessionURL: { handle: (ctx) => createSession(ctx, stores, tokens, 'dash') },
  };
}

function createSession(ctx: OperationContext, stores: StreamStores, tokens: SessionTokens, protocol: 'hls' | 'dash'): object {
  const hls = protocol === 'hls';
  const selectorMember = hls ? 'HLSFragmentSelector' : 'DASHFragmentSelector';
  const maxMember = hls ? 'MaxMediaPlaylistFragmentResults' : 'MaxManifestFragmentResults';

  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const mode = (v.string('PlaybackMode', { enum: PLAYBACK_MODES }) ?? 'LIVE') as PlaybackMode;
  const selector = v.object(selectorMember);
  const selectorType = (selector?.string('FragmentSelectorType', { enum: SELECTOR_TYPES }) ?? 'SERVER_TIMESTAMP') as SelectorType;
  const range = selector?.object('TimestampRange');
  const container = (hls ? v.string('ContainerFormat', { enum: CONTAINER_FORMATS }) : undefined) ?? 'FRAGMENTED_MP4';
  const discontinuityMode = hls ? v.string('DiscontinuityMode', { enum: DISCONTINUITY_MODES }) : undefined;
  const displayTimestamp = v.string('DisplayFragmentTimestamp', { enum: DISPLAY }) ?? 'NEVER';
  const displayNumber = (hls ? undefined : v.string('DisplayFragmentNumber', { enum: DISPLAY })) ?? 'NEVER';
  const expires = v.integer('Expires', { min: 300, max: 43200 }) ?? DEFAULT_EXPIRES_SECONDS;
  const maxFragments = v.integer(maxMember, { min: 1, max: 5000 }) ?? (mode === 'ON_DEMAND' ? 1000 : 5);
  v.finish();
  requireStreamRef(ref);

  const rawSelector = isJsonObject(ctx.body) ? ctx.body[selectorMember] : undefined;
  const rawRange = isJsonObject(rawSelector) ? rawSelector.TimestampRange : undefined;
  const rangePath = `${selectorMember}.TimestampRange`;
  let startMs: number | undefined;
  let endMs: number | undefined;
  if (mode === 'LIVE') {
    if (range !== undefined) throw new KvsError('InvalidArgumentException', `${rangePath} must not be set when PlaybackMode is LIVE.`);
  } else {
    if (selector === undefined || range === undefined) {
      throw new KvsError('InvalidArgumentException', `${selectorMember} with a TimestampRange is required when PlaybackMode is ${mode}.`);
    }
    startMs = timestampMember(rawRange, 'StartTimestamp', `${rangePath}.StartTimestamp`, true);
    endMs = timestampMember(rawRange, 'EndTimestamp', `${rangePath}.EndTimestamp`, mode === 'ON_DEMAND');
  }

  const stream = ctx.registry.require(ref);
  ctx.throttle.check(hls ? 'GetHLSStreamingSessionURL' : 'GetDASHStreamingSessionURL', stream.streamName);
  const now = stores.now();
  if (startMs !== undefined && endMs !== undefined) {
    if (endMs <= startMs) throw new KvsError('InvalidArgumentException', `${rangePath}.EndTimestamp must be after StartTimestamp.`);
    if (endMs - startMs > DAY_MS) throw new KvsError('InvalidArgumentException', `${rangePath}.EndTimestamp must be within 24 hours of StartTimestamp.`);
    if (selectorType === 'SERVER_TIMESTAMP' && endMs > now) throw new KvsError('InvalidArgumentException', `${rangePath}.EndTimestamp must be in the past for SERVER_TIMESTAMP.`);
  }
  if (stream.dataRetentionInHours === 0) {
    throw new KvsError('NoDataRetentionException', `The stream ${stream.streamName} has no data retention (DataRetentionInHours 0): there is nothing to stream.`);
  }

  const fields: Omit<StreamingSession, 'id' | 'originMs' | 'originSeq'> = {
    protocol,
    streamARN: stream.streamARN,
    streamName: stream.streamName,
    mode,
    selector: selectorType,
    ...(startMs !== undefined && { startMs }),
    ...(endMs !== undefined && { endMs }),
    container: container as ContainerFormat,
    discontinuity: (discontinuityMode ?? (selectorType === 'SERVER_TIMESTAMP' ? 'ALWAYS' : 'NEVER')) as DiscontinuityMode,
    displayTimestamp: displayTimestamp === 'ALWAYS',
    displayNumber: displayNumber === 'ALWAYS',
    maxFragments,
    createdMs: now,
    expiresMs: now + expires * 1000,
  };
  const origin = sessionOrigin(stream, stores, fields, now);
  const token = tokens.issue({ ...fields, ...origin });
  const url = hls ? `${ctx.baseUrl}/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=${token}` : `${ctx.baseUrl}/dash/v1/getDASHManifest.mpd?SessionToken=${token}`;
  return hls ? { HLSStreamingSessionURL: url } : { DASHStreamingSessionURL: url };
}

/** The session's first fragment (and checks that it can be packaged): ResourceNotFound when there is none. */
function sessionOrigin(stream: StreamRecord, stores: StreamStores, fields: Omit<StreamingSession, 'id' | 'originMs' | 'originSeq'>, now: number): { originMs: number; originSeq: number } {
  const store = stores.storeFor(stream);
  let first;
  if (fields.mode === 'LIVE') {
    const last = store.last();
    if (!last || last.serverTimestampMs < now - LIVE_WINDOW_MS) throw new KvsError('ResourceNotFoundException', NO_FRAGMENTS_MESSAGE);
    first = sessionView(store, { ...fields, originSeq: 0 }, now).records[0];
  } else {
    // LIVE_REPLAY may begin before its first fragment is due: look at the whole range.
    first = sessionView(store, { ...fields, mode: 'ON_DEMAND', endMs: fields.endMs ?? Math.max(fields.startMs ?? 0, now), maxFragments: 1, originSeq: 0 }, now).records[0];
  }
  if (!first) throw new KvsError('ResourceNotFoundException', NO_FRAGMENTS_MESSAGE);
  headerTracks(store, first.headerId, fields.container);
  // DASH: the codec private data must not change within the session. The range of an ON_DEMAND or
  // LIVE_REPLAY session is checked now (InvalidCodecPrivateDataException, like the service); a LIVE
  // session's manifest stops before a later change instead (routes.ts).
  if (fields.protocol === 'dash' && fields.mode !== 'LIVE' && SessionHeaders.of(store, { ...fields, originSeq: 0 }, now).count > 1) {
    throw new KvsError('InvalidCodecPrivateDataException', 'The codec private data of the fragments in the requested range changes; a DASH session needs the same codec private data for all of its fragments.');
  }
  return { originMs: first.producerTimestampMs - TIMELINE_LEAD_MS, originSeq: sequenceOf(first.fragmentNumber) };
}
