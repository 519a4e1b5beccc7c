// The control plane of KVS Local (the `kinesisvideo` API for streams): CreateStream, DescribeStream,
// ListStreams, UpdateStream, DeleteStream, UpdateDataRetention, GetDataEndpoint, TagStream,
// UntagStream, ListTagsForStream, TagResource, UntagResource, ListTagsForResource.
// Keys of controlPlaneOperations() are the request paths without '/', in the model's exact case.
import { KvsError } from '../http/errors';
import type { OperationContext, OperationHandler } from '../http/router';
import type { StorageTier, StreamRecord } from './streamRegistry';
import { STREAM_NOT_FOUND_MESSAGE, toStreamInfo } from './streamRegistry';
import type { StreamRef } from './validate';
import {
  DEVICE_NAME,
  KMS_KEY_ID,
  MAX_DATA_RETENTION_HOURS,
  MEDIA_TYPE,
  NEXT_TOKEN,
  RESOURCE_ARN,
  RESOURCE_TAGS,
  STREAM_NAME,
  TAG_KEY,
  TAG_KEY_LIST,
  TAG_VALUE,
  VERSION,
  Validator,
  readStreamRef,
  requireStreamRef,
} from './validate';

export const API_NAMES = [
  'PUT_MEDIA',
  'GET_MEDIA',
  'LIST_FRAGMENTS',
  'GET_MEDIA_FOR_FRAGMENT_LIST',
  'GET_HLS_STREAMING_SESSION_URL',
  'GET_DASH_STREAMING_SESSION_URL',
  'GET_CLIP',
  'GET_IMAGES',
] as const;

const MAX_TAGS = 50;
const DEFAULT_LIST_STREAMS_RESULTS = 10000;

/** Every control-plane operation, keyed by its path name. */
export function controlPlaneOperations(): Record<string, OperationHandler> {
  return {
    createStream: { handle: createStream },
    describeStream: { handle: describeStream },
    listStreams: { handle: listStreams },
    updateStream: { handle: updateStream },
    deleteStream: { handle: deleteStream },
    updateDataRetention: { handle: updateDataRetention },
    getDataEndpoint: { handle: getDataEndpoint },
    tagStream: { handle: tagStream },
    untagStream: { handle: untagStream },
    listTagsForStream: { handle: listTagsForStream },
    TagResource: { handle: tagResource },
    UntagResource: { handle: untagResource },
    ListTagsForResource: { handle: listTagsForResource },
  };
}

async function createStream(ctx: OperationContext): Promise<object> {
  const v = Validator.of(ctx.body);
  const streamName = v.string('StreamName', { ...STREAM_NAME, required: true });
  const deviceName = v.string('DeviceName', DEVICE_NAME);
  const mediaType = v.string('MediaType', MEDIA_TYPE);
  const kmsKeyId = v.string('KmsKeyId', KMS_KEY_ID);
  const dataRetentionInHours = v.integer('DataRetentionInHours', { min: 0, max: MAX_DATA_RETENTION_HOURS });
  const tags = v.stringMap('Tags', RESOURCE_TAGS);
  const storage = v.object('StreamStorageConfiguration');
  const storageTier = storage?.string('DefaultStorageTier', { required: true, enum: ['HOT', 'WARM'] }) as StorageTier | undefined;
  v.finish();
  if (tags !== undefined) checkReservedTagKeys(Object.keys(tags));
  ctx.throttle.check('CreateStream');
  const stream = await ctx.registry.create({
    streamName: streamName ?? '',
    ...(deviceName !== undefined && { deviceName }),
    ...(mediaType !== undefined && { mediaType }),
    ...(kmsKeyId !== undefined && { kmsKeyId }),
    ...(dataRetentionInHours !== undefined && { dataRetentionInHours }),
    ...(tags !== undefined && { tags }),
    ...(storageTier !== undefined && { storageTier }),
  });
  return { StreamARN: stream.streamARN };
}

function describeStream(ctx: OperationContext): object {
  const ref = streamRefOf(ctx, 'DescribeStream');
  return { StreamInfo: toStreamInfo(ctx.registry.require(ref, { includeDeleting: true })) };
}

function listStreams(ctx: OperationContext): object {
  const v = Validator.of(ctx.body);
  const maxResults = v.integer('MaxResults', { min: 1, max: 10000 }) ?? DEFAULT_LIST_STREAMS_RESULTS;
  const nextToken = v.string('NextToken', NEXT_TOKEN);
  const condition = v.object('StreamNameCondition');
  condition?.string('ComparisonOperator', { enum: ['BEGINS_WITH'] });
  const prefix = condition?.string('ComparisonValue', STREAM_NAME) ?? '';
  v.finish();
  ctx.throttle.check('ListStreams');
  const after = nextToken === undefined || nextToken === '' ? undefined : decodeListToken(nextToken);
  const matching = ctx.registry.list().filter((stream) => stream.streamName.startsWith(prefix) && (after === undefined || stream.streamName > after));
  const page = matching.slice(0, maxResults);
  const last = page.at(-1);
  return {
    StreamInfoList: page.map(toStreamInfo),
    ...(matching.length > page.length && last !== undefined && { NextToken: encodeListToken(last.streamName) }),
  };
}

async function updateStream(ctx: OperationContext): Promise<object> {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const currentVersion = v.string('CurrentVersion', { ...VERSION, required: true });
  const deviceName = v.string('DeviceName', DEVICE_NAME);
  const mediaType = v.string('MediaType', MEDIA_TYPE);
  v.finish();
  requireStreamRef(ref);
  ctx.throttle.check('UpdateStream', ctx.registry.throttleKey(ref));
  await ctx.registry.update(ref, currentVersion ?? '', {
    ...(deviceName !== undefined && { deviceName }),
    ...(mediaType !== undefined && { mediaType }),
  });
  return {};
}

async function deleteStream(ctx: OperationContext): Promise<object> {
  const v = Validator.of(ctx.body);
  const streamARN = v.string('StreamARN', { ...RESOURCE_ARN, required: true });
  const currentVersion = v.string('CurrentVersion', VERSION);
  v.finish();
  const arn = streamARN ?? '';
  ctx.throttle.check('DeleteStream', ctx.registry.throttleKey({ streamARN: arn }));
  await ctx.registry.delete(arn, currentVersion);
  return {};
}

async function updateDataRetention(ctx: OperationContext): Promise<object> {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const currentVersion = v.string('CurrentVersion', { ...VERSION, required: true });
  const operation = v.string('Operation', { required: true, enum: ['INCREASE_DATA_RETENTION', 'DECREASE_DATA_RETENTION'] });
  const change = v.integer('DataRetentionChangeInHours', { required: true, min: 1 });
  v.finish();
  requireStreamRef(ref);
  ctx.throttle.check('UpdateDataRetention', ctx.registry.throttleKey(ref));
  const stream = ctx.registry.require(ref);
  const current = stream.dataRetentionInHours;
  const delta = change ?? 0;
  const next = operation === 'INCREASE_DATA_RETENTION' ? current + delta : current - delta;
  if (stream.version === currentVersion) {
    // Range errors only for the right version; a stale version is a VersionMismatch first.
    if (next < 0) {
      throw new KvsError('InvalidArgumentException', `The data retention of ${stream.streamName} is ${current} hours; it cannot be decreased by ${delta} hours (the minimum is 0).`);
    }
    if (next > MAX_DATA_RETENTION_HOURS) {
      throw new KvsError('InvalidArgumentException', `The data retention of ${stream.streamName} is ${current} hours; it cannot be increased by ${delta} hours (the maximum is ${MAX_DATA_RETENTION_HOURS}).`);
    }
  }
  await ctx.registry.update(ref, currentVersion ?? '', { dataRetentionInHours: next });
  return {};
}

function getDataEndpoint(ctx: OperationContext): object {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  v.string('APIName', { required: true, enum: API_NAMES });
  v.finish();
  requireStreamRef(ref);
  ctx.throttle.check('GetDataEndpoint', ctx.registry.throttleKey(ref));
  ctx.registry.require(ref);
  // One origin serves every API (the endpoint "does not have the API name appended").
  return { DataEndpoint: ctx.baseUrl };
}

async function tagStream(ctx: OperationContext): Promise<object> {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const tags = v.stringMap('Tags', { ...RESOURCE_TAGS, required: true });
  v.finish();
  requireStreamRef(ref);
  checkReservedTagKeys(Object.keys(tags ?? {}));
  ctx.throttle.check('TagStream', ctx.registry.throttleKey(ref));
  await ctx.registry.tag(ref, tags ?? {}, MAX_TAGS);
  return {};
}

async function untagStream(ctx: OperationContext): Promise<object> {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  const keys = v.stringList('TagKeyList', { ...TAG_KEY_LIST, required: true });
  v.finish();
  requireStreamRef(ref);
  ctx.throttle.check('UntagStream', ctx.registry.throttleKey(ref));
  await ctx.registry.untag(ref, keys ?? []);
  return {};
}

function listTagsForStream(ctx: OperationContext): object {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  v.string('NextToken', NEXT_TOKEN); // Every tag fits in one page (at most 50).
  v.finish();
  requireStreamRef(ref);
  ctx.throttle.check('ListTagsForStream', ctx.registry.throttleKey(ref));
  return { Tags: { ...ctx.registry.require(ref).tags } };
}

async function tagResource(ctx: OperationContext): Promise<object> {
  const v = Validator.of(ctx.body);
  const resourceARN = v.string('ResourceARN', { ...RESOURCE_ARN, required: true });
  const items = v.objectList('Tags', { required: true, min: 1, max: MAX_TAGS });
  const tags: Record<string, string> = {};
  for (const item of items ?? []) {
    const key = item.string('Key', { ...TAG_KEY, required: true });
    const value = item.string('Value', { ...TAG_VALUE, required: true });
    if (key !== undefined && value !== undefined) tags[key] = value;
  }
  v.finish();
  checkReservedTagKeys(Object.keys(tags));
  const stream = resourceStream(ctx, 'TagResource', resourceARN ?? '');
  await ctx.registry.tag({ streamARN: stream.streamARN }, tags, MAX_TAGS);
  return {};
}

async function untagResource(ctx: OperationContext): Promise<object> {
  const v = Validator.of(ctx.body);
  const resourceARN = v.string('ResourceARN', { ...RESOURCE_ARN, required: true });
  const keys = v.stringList('TagKeyList', { ...TAG_KEY_LIST, required: true });
  v.finish();
  const stream = resourceStream(ctx, 'UntagResource', resourceARN ?? '');
  await ctx.registry.untag({ streamARN: stream.streamARN }, keys ?? []);
  return {};
}

function listTagsForResource(ctx: OperationContext): object {
  const v = Validator.of(ctx.body);
  const resourceARN = v.string('ResourceARN', { ...RESOURCE_ARN, required: true });
  v.string('NextToken', NEXT_TOKEN);
  v.finish();
  const stream = resourceStream(ctx, 'ListTagsForResource', resourceARN ?? '');
  return { Tags: { ...stream.tags } };
}

// --- helpers -------------------------------------------------------------------------------------

/** Reads and checks StreamName/StreamARN, applies the per-stream throttle of `api`. */
function streamRefOf(ctx: OperationContext, api: string): StreamRef {
  const v = Validator.of(ctx.body);
  const ref = readStreamRef(v);
  v.finish();
  requireStreamRef(ref);
  ctx.throttle.check(api, ctx.registry.throttleKey(ref));
  return ref;
}

/** The stream a ResourceARN names. Only streams exist in KVS Local (no signaling channels). */
function resourceStream(ctx: OperationContext, api: string, resourceARN: string): StreamRecord {
  ctx.throttle.check(api, ctx.registry.throttleKey({ streamARN: resourceARN }));
  const stream = ctx.registry.find({ streamARN: resourceARN });
  if (stream === undefined) {
    throw new KvsError('ResourceNotFoundException', resourceARN.includes(':channel/') ? `KVS Local has no signaling channels: ${resourceARN} is not found.` : STREAM_NOT_FOUND_MESSAGE);
  }
  return stream;
}

function checkReservedTagKeys(keys: readonly string[]): void {
  const reserved = keys.filter((key) => key.toLowerCase().startsWith('aws:'));
  if (reserved.length > 0) {
    throw new KvsError('InvalidArgumentException', `Tag keys starting with 'aws:' are reserved for AWS use: ${reserved.join(', ')}.`);
  }
}

/** ListStreams pagination: the token is the base64 of the last stream name returned. */
function encodeListToken(lastStreamName: string): string {
  return Buffer.from(JSON.stringify({ after: lastStreamName }), 'utf8').toString('base64');
}

function decodeListToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { after?: unknown }).after === 'string') return (parsed as { after: string }).after;
  } catch {
    // Fall through to the error below.
  }
  throw new KvsError('InvalidArgumentException', 'The NextToken is not valid. Pass the NextToken of the previous ListStreams response unchanged.');
}
