// ListFragments and GetMediaForFragmentList (kinesis-video-archived-media; research §1.5, §1.7).
import { KvsError } from '../http/errors';
import type { OperationContext, OperationHandler } from '../http/router';
import { isJsonObject, readStreamRef, requireStreamRef, Validator } from '../control/validate';
import type { FragmentRecord } from '../storage/fragmentStore';
import { writeFragment, writeNotFound } from './mediaWriter';
import type { StreamStores } from './streamStores';
import { epochSeconds, timestampMember } from './timestamps';

const DEFAULT_MAX_RESULTS = 100;
const SELECTOR_TYPES = ['PRODUCER_TIMESTAMP', 'SERVER_TIMESTAMP'] as const;
type SelectorType = (typeof SELECTOR_TYPES)[number];
const FRAGMENT_NUMBER = { min: 1, max: 128, pattern: '^[0-9]+$' };

/** What a NextToken carries: the selector of the first page and where the next page starts. */
interface PageToken {
  kind: SelectorType;
  startMs: number;
  endMs: number;
  cursor: string;
}

export function archivedMediaOperations(stores: StreamStores): Record<string, OperationHandler> {
  return {
    listFragments: { handle: (ctx) => listFragments(ctx, stores) },
    getMediaForFragmentList: { handle: (ctx) => getMediaForFragmentList(ctx, stores) },
  };
}

/**
 * Fragments whose start timestamp is in the range, inclusive. The service answers in no particular
 * order; KVS Local answers in timestamp order, which is one of the orders the service may use.
 */
function listFragments(ctx: OperationContext, stores: StreamStores): object {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const maxResults = v.integer('MaxResults', { min: 1, max: 1000 }) ?? DEFAULT_MAX_RESULTS;
  const nextToken = v.string('NextToken', { min: 1, max: 4096, pattern: '[a-zA-Z0-9+/]+={0,2}' });
  const selector = v.object('FragmentSelector', nextToken === undefined);
  const kind = selector?.string('FragmentSelectorType', { required: true, enum: [...SELECTOR_TYPES] }) as SelectorType | undefined;
  const range = selector?.object('TimestampRange', true);
  v.finish();
  requireStreamRef(ref);
  const stream = ctx.registry.require(ref);
  ctx.throttle.check('ListFragments', stream.streamName);

  const rawSelector = isJsonObject(ctx.body) ? ctx.body.FragmentSelector : undefined;
  const rawRange = isJsonObject(rawSelector) ? rawSelector.TimestampRange : undefined;
  const page: PageToken | undefined =
    nextToken !== undefined
      ? decodeToken(nextToken)
      : range && kind
        ? {
            kind,
            startMs: timestampMember(rawRange, 'StartTimestamp', 'FragmentSelector.TimestampRange.StartTimestamp', true) ?? 0,
            endMs: timestampMember(rawRange, 'EndTimestamp', 'FragmentSelector.TimestampRange.EndTimestamp', true) ?? 0,
            cursor: '',
          }
        : undefined;
  if (!page) throw new KvsError('InvalidArgumentException', 'FragmentSelector is required when NextToken is not given.');
  if (page.endMs < page.startMs) throw new KvsError('InvalidArgumentException', 'FragmentSelector.TimestampRange.EndTimestamp must not be before StartTimestamp.');

  const store = stores.storeFor(stream);
  const { records, next } = store.range(page.kind, page.startMs, page.endMs, maxResults, page.cursor || undefined);
  return {
    Fragments: records.map(fragmentShape),
    ...(next !== undefined && { NextToken: encodeToken({ ...page, cursor: next }) }),
  };
}

function fragmentShape(record: FragmentRecord): object {
  return {
    FragmentNumber: record.fragmentNumber,
    FragmentSizeInBytes: record.sizeBytes,
    ProducerTimestamp: epochSeconds(record.producerTimestampMs),
    ServerTimestamp: epochSeconds(record.serverTimestampMs),
    FragmentLengthInMilliseconds: record.durationMs,
  };
}

/** Every fragment asked for, in the order asked; an unknown number gets FRAGMENT_NOT_FOUND tags (HTTP 200, like the service). */
async function getMediaForFragmentList(ctx: OperationContext, stores: StreamStores): Promise<void> {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const numbers = v.stringList('Fragments', { required: true, min: 1, max: 1000, item: FRAGMENT_NUMBER });
  v.finish();
  requireStreamRef(ref);
  const stream = ctx.registry.require(ref);
  ctx.throttle.check('GetMediaForFragmentList', stream.streamName);
  const store = stores.storeFor(stream);
  ctx.res.writeHead(200, { 'content-type': 'video/webm' });
  for (const fragmentNumber of numbers ?? []) {
    if (ctx.res.destroyed) break;
    const record = store.get(fragmentNumber);
    if (record) await writeFragment(ctx.res, store, record);
    else await writeNotFound(ctx.res, fragmentNumber);
  }
  ctx.res.end();
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

function decodeToken(text: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Partial<PageToken>;
    if (SELECTOR_TYPES.includes(token.kind as SelectorType) && typeof token.startMs === 'number' && typeof token.endMs === 'number' && typeof token.cursor === 'string') {
      return token as PageToken;
    }
  } catch {
    // answered below
  }
  throw new KvsError('InvalidArgumentException', 'NextToken is not a token this API returned.');
}
