// GetMedia: the stream's fragments from a start selector, as one MKV document per fragment with the
// KVS tags, following the live edge while a producer is sending (research §1.7, §3.2).
import { KvsError } from '../http/errors';
import type { OperationContext, OperationHandler } from '../http/router';
import { isJsonObject, readStreamRef, requireStreamRef, Validator } from '../control/validate';
import type { FragmentRecord, FragmentStore } from '../storage/fragmentStore';
import { writeFragment } from './mediaWriter';
import type { StreamStores } from './streamStores';
import { timestampMember } from './timestamps';

const MAX_CONSUMERS_PER_STREAM = 3;
/** How long a caught-up reader waits for the next fragment before it checks again. */
const LIVE_POLL_MS = 1_000;
const BATCH = 32;
const SELECTOR_TYPES = ['FRAGMENT_NUMBER', 'SERVER_TIMESTAMP', 'PRODUCER_TIMESTAMP', 'NOW', 'EARLIEST', 'CONTINUATION_TOKEN'];
/** A fragment that started this long before a start timestamp cannot contain it (fragments ≤ 10 s). */
const MAX_FRAGMENT_MS = 10_000;

export function getMediaOperation(stores: StreamStores): OperationHandler {
  return { handle: (ctx) => handleGetMedia(ctx, stores) };
}

async function handleGetMedia(ctx: OperationContext, stores: StreamStores): Promise<void> {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const selector = v.object('StartSelector', true);
  const type = selector?.string('StartSelectorType', { enum: SELECTOR_TYPES });
  const afterFragmentNumber = selector?.string('AfterFragmentNumber', { min: 1, max: 128, pattern: '^[0-9]+$' });
  const continuationToken = selector?.string('ContinuationToken', { min: 1, max: 128, pattern: '^[a-zA-Z0-9_\\.\\-]+$' });
  const startMs = timestampMember(isJsonObject(ctx.body) ? ctx.body.StartSelector : undefined, 'StartTimestamp', 'StartSelector.StartTimestamp');
  v.finish();
  requireStreamRef(ref);
  const stream = ctx.registry.require(ref);
  ctx.throttle.check('GetMedia', stream.streamName);
  const store = stores.storeFor(stream);
  let cursor = startCursor(store, type ?? 'NOW', { afterFragmentNumber, startMs, continuationToken });

  const release = stores.addConsumer(stream, MAX_CONSUMERS_PER_STREAM);
  if (!release) throw new KvsError('ConnectionLimitExceededException', `More than ${MAX_CONSUMERS_PER_STREAM} GetMedia connections are reading stream ${stream.streamName}.`);
  const closed = new AbortController();
  ctx.res.once('close', () => closed.abort());
  const onShutdown = () => closed.abort();
  ctx.signal.addEventListener('abort', onShutdown, { once: true });
  try {
    ctx.res.writeHead(200, { 'content-type': 'video/webm' });
    // A live reader may wait a while for the next fragment: let it see the response start now.
    ctx.res.flushHeaders();
    while (!closed.signal.aborted) {
      const records = store.after(cursor, BATCH);
      for (const record of records) {
        await writeFragment(ctx.res, store, record, { nowMs: stores.now() });
        cursor = record.fragmentNumber;
        if (closed.signal.aborted) break;
      }
      if (records.length > 0) continue;
      // Caught up: follow the live edge while someone produces, else the response is complete.
      if (!stores.isProducing(stream)) break;
      await stores.nextAppend(stream, LIVE_POLL_MS, closed.signal);
    }
  } finally {
    ctx.signal.removeEventListener('abort', onShutdown);
    release();
    if (!ctx.res.writableEnded) ctx.res.end();
  }
}

interface SelectorValues {
  afterFragmentNumber: string | undefined;
  startMs: number | undefined;
  continuationToken: string | undefined;
}

/** The fragment number to continue after (undefined: from the oldest retained fragment). */
function startCursor(store: FragmentStore, type: string, values: SelectorValues): string | undefined {
  switch (type) {
    case 'EARLIEST':
      return undefined;
    case 'NOW':
      return store.last()?.fragmentNumber ?? '0';
    case 'FRAGMENT_NUMBER':
      return before(store, required(values.afterFragmentNumber, 'AfterFragmentNumber', type));
    case 'CONTINUATION_TOKEN':
      return required(values.continuationToken, 'ContinuationToken', type);
    case 'SERVER_TIMESTAMP':
    case 'PRODUCER_TIMESTAMP': {
      const startMs = required(values.startMs, 'StartTimestamp', type);
      const first = firstContaining(store, type, startMs);
      return first ? before(store, first.fragmentNumber) : store.last()?.fragmentNumber ?? '0';
    }
    default:
      throw new KvsError('InvalidArgumentException', `Unsupported StartSelectorType ${type}.`);
  }
}

function required<T>(value: T | undefined, member: string, type: string): T {
  if (value === undefined) throw new KvsError('InvalidArgumentException', `StartSelector.${member} is required when StartSelectorType is ${type}.`);
  return value;
}

/** The cursor that makes `after()` start with the given fragment. */
function before(store: FragmentStore, fragmentNumber: string): string | undefined {
  if (!store.get(fragmentNumber)) throw new KvsError('ResourceNotFoundException', `Fragment ${fragmentNumber} was not found in the stream.`);
  return decrement(fragmentNumber);
}

function firstContaining(store: FragmentStore, kind: 'SERVER_TIMESTAMP' | 'PRODUCER_TIMESTAMP', startMs: number): FragmentRecord | undefined {
  const { records } = store.range(kind, startMs - MAX_FRAGMENT_MS, Number.MAX_SAFE_INTEGER, 64);
  const time = (record: FragmentRecord) => (kind === 'SERVER_TIMESTAMP' ? record.serverTimestampMs : record.producerTimestampMs);
  return records.find((record) => time(record) + record.durationMs > startMs) ?? records.find((record) => time(record) >= startMs);
}

/** Fragment numbers are fixed-width decimals: the number one less, same width. */
function decrement(fragmentNumber: string): string {
  const digits = fragmentNumber.split('').map(Number);
  for (let i = digits.length - 1; i >= 0; i--) {
    if ((digits[i] ?? 0) > 0) {
      digits[i] = (digits[i] ?? 0) - 1;
      break;
    }
    digits[i] = 9;
  }
  return digits.join('');
}
