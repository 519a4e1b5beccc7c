// GetClip (kinesis-video-archived-media; research §1.5, §6): an MP4 of the fragments whose start
// timestamp (of the selector's kind) is in the range, inclusive — whole fragments, so the clip starts
// and ends at keyframes. Answered as a streamed fragmented MP4 (ftyp + moov with every track, then one
// moof + mdat per stored fragment), Content-Type video/mp4.
//
// Limits like the service ("the first 100 MB or the first 200 fragments"): the clip holds the first
// 200 fragments of the range, and stops before the fragment that would take the stored media past
// 100 MB (the first fragment is always included). Nothing tells the client that it was cut, as with
// the service. The clip also stops before a fragment whose tracks (codec private data) differ from the
// first fragment's, since one MP4 moov describes one set of tracks.
import type { PackagingTrack } from '../../formats/package';
import { initSegment, mediaFragmentTracks } from '../../formats/package';
import { isJsonObject, readStreamRef, requireStreamRef, Validator } from '../control/validate';
import { KvsError } from '../http/errors';
import type { OperationContext } from '../http/router';
import type { StreamStores } from '../media/streamStores';
import { timestampMember } from '../media/timestamps';
import type { FragmentRecord, FragmentStore } from '../storage/fragmentStore';
import { headerTracks, NO_FRAGMENTS_MESSAGE, sessionSamples, sessionView } from '../streaming/content';
import type { SessionTracks } from '../streaming/content';

export const CLIP_MAX_FRAGMENTS = 200;
export const CLIP_MAX_BYTES = 100 * 1024 * 1024;
const SELECTOR_TYPES = ['PRODUCER_TIMESTAMP', 'SERVER_TIMESTAMP'];
const DAY_MS = 24 * 3600 * 1000;

export async function getClip(ctx: OperationContext, stores: StreamStores): Promise<undefined> {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const selector = v.object('ClipFragmentSelector', true);
  const kind = selector?.string('FragmentSelectorType', { required: true, enum: SELECTOR_TYPES }) as 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP' | undefined;
  selector?.object('TimestampRange', true);
  v.finish();
  requireStreamRef(ref);
  const rawSelector = isJsonObject(ctx.body) ? ctx.body.ClipFragmentSelector : undefined;
  const rawRange = isJsonObject(rawSelector) ? rawSelector.TimestampRange : undefined;
  const path = 'ClipFragmentSelector.TimestampRange';
  const startMs = timestampMember(rawRange, 'StartTimestamp', `${path}.StartTimestamp`, true) ?? 0;
  const endMs = timestampMember(rawRange, 'EndTimestamp', `${path}.EndTimestamp`, true) ?? 0;
  if (kind === undefined) throw new KvsError('InvalidArgumentException', 'ClipFragmentSelector.FragmentSelectorType is required.');

  const stream = ctx.registry.require(ref);
  ctx.throttle.check('GetClip', stream.streamName);
  if (endMs <= startMs) throw new KvsError('InvalidArgumentException', `${path}.EndTimestamp must be after StartTimestamp.`);
  if (endMs - startMs > DAY_MS) throw new KvsError('InvalidArgumentException', `${path}.EndTimestamp must be within 24 hours of StartTimestamp.`);
  if (stream.dataRetentionInHours === 0) {
    throw new KvsError('NoDataRetentionException', `The stream ${stream.streamName} has no data retention (DataRetentionInHours 0): there is no media to make a clip of.`);
  }

  const store = stores.storeFor(stream);
  const now = stores.now();
  const found = sessionView(store, { mode: 'ON_DEMAND', selector: kind, startMs, endMs, maxFragments: CLIP_MAX_FRAGMENTS, createdMs: now, originSeq: 0 }, now).records;
  const first = found[0];
  if (!first) throw new KvsError('ResourceNotFoundException', NO_FRAGMENTS_MESSAGE);
  const info = headerTracks(store, first.headerId, 'FRAGMENTED_MP4');
  const records = clipRecords(store, found, info);

  // Media time starts at the first fragment (earlier when B-frames put a decode time before it).
  let originMs = first.producerTimestampMs;
  const firstSamples = sessionSamples(store, first, info, originMs);
  let minDts = 0;
  for (const samples of firstSamples.values()) for (const s of samples) minDts = Math.min(minDts, s.dtsMs ?? s.ptsMs);
  originMs += Math.floor(minDts);

  const res = ctx.res;
  res.writeHead(200, { 'Content-Type': 'video/mp4' });
  await write(ctx, initSegment(info.tracks).bytes);
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (!record || ctx.signal.aborted || res.destroyed) break;
    const samples = sessionSamples(store, record, info, originMs);
    const parts = info.tracks.map((track) => ({ track, samples: samples.get(track.trackNumber) ?? [] })).filter((p) => p.samples.length > 0);
    if (parts.length === 0) continue;
    await write(ctx, mediaFragmentTracks(parts, { sequenceNumber: i + 1 }).bytes);
  }
  res.end();
  return undefined;
}

/** The records the clip holds: within 100 MB, and with the first fragment's tracks. */
function clipRecords(store: FragmentStore, found: readonly FragmentRecord[], info: SessionTracks): FragmentRecord[] {
  const out: FragmentRecord[] = [];
  let bytes = 0;
  for (const record of found) {
    if (out.length > 0 && bytes + record.sizeBytes > CLIP_MAX_BYTES) break;
    if (out.length > 0 && record.headerId !== out[0]?.headerId && !sameTracks(headerTracks(store, record.headerId, 'FRAGMENTED_MP4').tracks, info.tracks)) break;
    bytes += record.sizeBytes;
    out.push(record);
  }
  return out;
}

function sameTracks(a: readonly PackagingTrack[], b: readonly PackagingTrack[]): boolean {
  return a.length === b.length && a.every((t, i) => {
    const u = b[i];
    return u !== undefined && t.trackNumber === u.trackNumber && t.codec === u.codec && t.timescale === u.timescale && Buffer.from(t.codecPrivate).equals(Buffer.from(u.codecPrivate));
  });
}

function write(ctx: OperationContext, bytes: Uint8Array): Promise<void> {
  const res = ctx.res;
  if (res.destroyed || res.write(bytes)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
