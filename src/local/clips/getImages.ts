// GetImages (kinesis-video-archived-media; research §1.5, §6): one entry per sampling instant
// StartTimestamp, StartTimestamp + SamplingInterval, … up to EndTimestamp inclusive, paged by at most
// 25 entries (MaxResults caps the page size). An instant no stored fragment covers (by the selector's
// timestamps: start ≤ instant < start + duration) is NO_MEDIA; otherwise the image is the video frame
// presented at or before the instant, decoded from the fragment's keyframe (decoder.ts: ffmpeg). An
// instant between a fragment's start timestamp and its first frame shows the previous fragment's last
// frame (or, without one, the fragment's first frame). A frame that cannot be decoded is MEDIA_ERROR,
// with the reason in the log. SamplingInterval defaults to 3000 ms when not given.
import { getMediaHeader } from '../../formats/matroska/write';
import { concatBytes } from '../../formats/matroska/write';
import { isJsonObject, readStreamRef, requireStreamRef, Validator } from '../control/validate';
import { KvsError } from '../http/errors';
import type { Log, OperationContext } from '../http/router';
import type { StreamStores } from '../media/streamStores';
import { epochSeconds, timestampMember } from '../media/timestamps';
import type { FragmentRecord, FragmentStore } from '../storage/fragmentStore';
import { headerTracks, sessionSamples, sessionView } from '../streaming/content';
import type { FrameDecoder, ImageFormat } from './decoder';

const SELECTOR_TYPES = ['PRODUCER_TIMESTAMP', 'SERVER_TIMESTAMP'];
const MAX_RANGE_MS = 300_000;
const MIN_SAMPLING_MS = 200;
/** Used when SamplingInterval is not given. */
export const DEFAULT_SAMPLING_MS = 3000;
export const PAGE_SIZE = 25;
const DEFAULT_JPEG_QUALITY = 80;
/** Fragments starting this long before StartTimestamp are looked at (one may cover the first instant). */
const LOOKBACK_MS = 60_000;
const MAX_FRAGMENTS = 10_000;
const DECODE_CONCURRENCY = 4;
/** A fragment's first frame may come a little after its start timestamp: an instant before it shows
 *  the previous fragment's last frame when that fragment ended at most this long before. */
const CONTIGUOUS_MS = 1000;

export interface ImagesDeps {
  decoder: FrameDecoder;
  log?: Log;
}

interface PageToken {
  i: number;
  s: number;
  e: number;
}

interface ImageEntry {
  TimeStamp: number;
  Error?: 'NO_MEDIA' | 'MEDIA_ERROR';
  ImageContent?: string;
}

export async function getImages(ctx: OperationContext, stores: StreamStores, deps: ImagesDeps): Promise<object> {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const kind = v.string('ImageSelectorType', { required: true, enum: SELECTOR_TYPES }) as 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP';
  const interval = v.integer('SamplingInterval', { min: MIN_SAMPLING_MS }) ?? DEFAULT_SAMPLING_MS;
  const format = v.string('Format', { required: true, enum: ['JPEG', 'PNG'] }) as ImageFormat;
  const formatConfig = v.stringMap('FormatConfig', { min: 1, max: 1, key: { enum: ['JPEGQuality'] }, value: { min: 1, max: 256, pattern: '^[a-zA-Z_0-9]+' } });
  const width = v.integer('WidthPixels', { min: 1, max: 3840 });
  const height = v.integer('HeightPixels', { min: 1, max: 2160 });
  const maxResults = v.integer('MaxResults', { min: 1, max: 100 });
  const nextToken = v.string('NextToken', { min: 1, max: 4096, pattern: '[a-zA-Z0-9+/]+={0,2}' });
  v.finish();
  requireStreamRef(ref);
  const startMs = timestampMember(ctx.body, 'StartTimestamp', 'StartTimestamp', true) ?? 0;
  const endMs = timestampMember(ctx.body, 'EndTimestamp', 'EndTimestamp', true) ?? 0;
  const qualityText = formatConfig?.JPEGQuality;
  const jpegQuality = qualityText === undefined ? DEFAULT_JPEG_QUALITY : Number(qualityText);
  if (!Number.isInteger(jpegQuality) || jpegQuality < 1 || jpegQuality > 100) {
    throw new KvsError('InvalidArgumentException', `FormatConfig.JPEGQuality must be an integer from 1 to 100, got ${JSON.stringify(qualityText)}.`);
  }

  const stream = ctx.registry.require(ref);
  ctx.throttle.check('GetImages', stream.streamName);
  if (endMs < startMs) throw new KvsError('InvalidArgumentException', 'EndTimestamp must not be before StartTimestamp.');
  if (endMs - startMs > MAX_RANGE_MS) throw new KvsError('InvalidArgumentException', 'EndTimestamp must be within 300 seconds of StartTimestamp.');
  if (stream.dataRetentionInHours === 0) {
    throw new KvsError('NoDataRetentionException', `The stream ${stream.streamName} has no data retention (DataRetentionInHours 0): there is no media to take images from.`);
  }

  const total = Math.floor((endMs - startMs) / interval) + 1;
  let first = 0;
  if (nextToken !== undefined) {
    const token = decodeToken(nextToken);
    if (!token || token.s !== startMs || token.e !== endMs || token.i >= total) {
      throw new KvsError('InvalidArgumentException', 'NextToken is not valid for this request (give the same StartTimestamp and EndTimestamp as the request that returned it).');
    }
    first = token.i;
  }
  const pageSize = Math.min(maxResults ?? PAGE_SIZE, PAGE_SIZE);
  const last = Math.min(total, first + pageSize);

  const store = stores.storeFor(stream);
  const now = stores.now();
  const pageStart = startMs + first * interval;
  const pageEnd = startMs + (last - 1) * interval;
  const records = sessionView(store, { mode: 'ON_DEMAND', selector: kind, startMs: pageStart - LOOKBACK_MS, endMs: pageEnd, maxFragments: MAX_FRAGMENTS, createdMs: now, originSeq: 0 }, now).records;
  const startOf = (r: FragmentRecord): number => (kind === 'PRODUCER_TIMESTAMP' ? r.producerTimestampMs : r.serverTimestampMs);

  const errors = new Set<string>();
  const cache = new Map<string, Promise<string | undefined>>();
  const image = (covering: FragmentRecord, t: number): Promise<string | undefined> => {
    let frame: { index: number; mkv: () => Uint8Array };
    let record = covering;
    try {
      frame = frameAt(store, record, record.producerTimestampMs + (t - startOf(record)));
      const previous = frame.index < 0 ? previousFragment(records, record, t, startOf) : undefined;
      if (previous) {
        record = previous;
        frame = frameAt(store, record, record.producerTimestampMs + (t - startOf(record)));
      }
      frame.index = Math.max(0, frame.index);
    } catch (error) {
      errors.add(`fragment ${record.fragmentNumber}: ${message(error)}`);
      return Promise.resolve(undefined);
    }
    const key = `${record.fragmentNumber}/${frame.index}`;
    let p = cache.get(key);
    if (p === undefined) {
      const request = { frameIndex: frame.index, format, jpegQuality, ...(width !== undefined && { width }), ...(height !== undefined && { height }) };
      p = limit(() => deps.decoder.decode({ ...request, mkv: frame.mkv() })).then(
        (bytes) => Buffer.from(bytes).toString('base64'),
        (error: unknown) => {
          errors.add(`fragment ${record.fragmentNumber}: ${message(error)}`);
          return undefined;
        },
      );
      cache.set(key, p);
    }
    return p;
  };
  const limit = concurrency(DECODE_CONCURRENCY);

  const entries: Promise<ImageEntry>[] = [];
  for (let i = first; i < last; i++) {
    const t = startMs + i * interval;
    const record = coveringFragment(records, t, startOf);
    if (!record) {
      entries.push(Promise.resolve({ TimeStamp: epochSeconds(t), Error: 'NO_MEDIA' }));
      continue;
    }
    entries.push(image(record, t).then((content) => (content === undefined ? { TimeStamp: epochSeconds(t), Error: 'MEDIA_ERROR' } : { TimeStamp: epochSeconds(t), ImageContent: content })));
  }
  const images = await Promise.all(entries);
  for (const error of errors) deps.log?.('error', `KVS Local GetImages (${stream.streamName}): MEDIA_ERROR: ${error}`);
  return {
    Images: images,
    ...(last < total && { NextToken: encodeToken({ i: last, s: startMs, e: endMs }) }),
  };
}

/** The newest-starting fragment with start ≤ t < start + duration. */
function coveringFragment(records: readonly FragmentRecord[], t: number, startOf: (r: FragmentRecord) => number): FragmentRecord | undefined {
  let best: FragmentRecord | undefined;
  for (const r of records) {
    const s = startOf(r);
    if (s <= t && t < s + Math.max(1, r.durationMs) && (best === undefined || s >= startOf(best))) best = r;
  }
  return best;
}

/** The fragment just before `record` (by start), when it ends at most CONTIGUOUS_MS before `t`. */
function previousFragment(records: readonly FragmentRecord[], record: FragmentRecord, t: number, startOf: (r: FragmentRecord) => number): FragmentRecord | undefined {
  let best: FragmentRecord | undefined;
  for (const r of records) {
    const s = startOf(r);
    if (s < startOf(record) && t <= s + r.durationMs + CONTIGUOUS_MS && (best === undefined || s > startOf(best))) best = r;
  }
  return best;
}

/** Which video frame of the fragment (in presentation order) is shown at `producerMs` (-1: none yet), and the fragment as a file. */
function frameAt(store: FragmentStore, record: FragmentRecord, producerMs: number): { index: number; mkv: () => Uint8Array } {
  const info = headerTracks(store, record.headerId, 'FRAGMENTED_MP4');
  const video = info.tracks.find((t) => t.kind === 'video');
  const samples = video ? (sessionSamples(store, record, info, 0).get(video.trackNumber) ?? []) : [];
  if (samples.length === 0) throw new Error('the fragment has no video frames.');
  const pts = samples.map((s) => s.ptsMs).sort((a, b) => a - b);
  let index = -1;
  for (let i = 0; i < pts.length; i++) if ((pts[i] ?? Infinity) <= producerMs + 1e-6) index = i;
  return { index, mkv: () => concatBytes([getMediaHeader(store.readHeader(record.headerId)), store.readCluster(record)]) };
}

function concurrency(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = (): void => {
        active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            queue.shift()?.();
          });
      };
      if (active < n) run();
      else queue.push(run);
    });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64');
}

function decodeToken(text: string): PageToken | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;
    if (isJsonObject(value) && Number.isInteger(value.i) && Number.isFinite(value.s) && Number.isFinite(value.e) && (value.i as number) >= 0) {
      return { i: value.i as number, s: value.s as number, e: value.e as number };
    }
  } catch {
    // not a token of ours
  }
  return undefined;
}
