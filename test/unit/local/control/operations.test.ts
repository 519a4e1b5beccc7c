// Every control-plane operation of KVS Local through the real AWS SDK v3 KinesisVideoClient over HTTP:
// results, formats (ARN, Version, Status, CreationTime), and the service's error paths.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  GetDataEndpointCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  TagResourceCommand,
  TagStreamCommand,
  UntagResourceCommand,
  UntagStreamCommand,
  UpdateDataRetentionCommand,
  UpdateStreamCommand,
  paginateListStreams,
} from '@aws-sdk/client-kinesis-video';
import type { APIName, StreamInfo } from '@aws-sdk/client-kinesis-video';
import type { StreamRecord } from '../../../../src/local/control/streamRegistry';
import type { Harness } from '../http/harness';
import { serviceError, startHarness, tempDir } from '../http/harness';

const ARN = /^arn:aws:kinesisvideo:us-east-1:000000000000:stream\/([a-zA-Z0-9_.-]+)\/(\d{13})$/;

async function describeStream(h: Harness, name: string): Promise<StreamInfo> {
  const info = (await h.control.send(new DescribeStreamCommand({ StreamName: name }))).StreamInfo;
  assert.ok(info !== undefined);
  return info;
}

function invalidArgument(message: string): (error: Error) => void {
  return (error) => assert.equal(error.message, message);
}

describe('control plane', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ throttle: { enabled: false } });
  });
  after(() => h.close());

  describe('CreateStream and DescribeStream', () => {
    test('a new stream has the service\'s StreamInfo formats', async () => {
      const before = Date.now();
      const { StreamARN } = await h.control.send(new CreateStreamCommand({ StreamName: 'camera_101' }));
      const afterCreate = Date.now();
      const match = ARN.exec(StreamARN ?? '');
      assert.ok(match !== null, StreamARN);
      assert.equal(match[1], 'camera_101');
      const creationMs = Number(match[2]);
      assert.ok(creationMs >= before && creationMs <= afterCreate);

      const info = await describeStream(h, 'camera_101');
      assert.equal(info.StreamName, 'camera_101');
      assert.equal(info.StreamARN, StreamARN);
      assert.match(info.Version ?? '', /^[A-Za-z0-9]{20}$/);
      assert.equal(info.Status, 'ACTIVE');
      assert.equal(info.CreationTime?.getTime(), creationMs, 'CreationTime keeps the milliseconds of the ARN suffix');
      assert.equal(info.KmsKeyId, 'arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo');
      assert.equal(info.DataRetentionInHours, 0);
      assert.equal(info.DeviceName, undefined);
      assert.equal(info.MediaType, undefined);

      const byArn = (await h.control.send(new DescribeStreamCommand({ StreamARN }))).StreamInfo;
      assert.deepEqual(byArn, info);
    });

    test('optional members are kept', async () => {
      await h.control.send(
        new CreateStreamCommand({
          StreamName: 'full.stream-1',
          DeviceName: 'pi-4',
          MediaType: 'video/h264,audio/aac',
          KmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/1234',
          DataRetentionInHours: 24,
          Tags: { team: 'video', 'cost center': '12' },
          StreamStorageConfiguration: { DefaultStorageTier: 'WARM' },
        }),
      );
      const info = await describeStream(h, 'full.stream-1');
      assert.equal(info.DeviceName, 'pi-4');
      assert.equal(info.MediaType, 'video/h264,audio/aac');
      assert.equal(info.KmsKeyId, 'arn:aws:kms:us-east-1:000000000000:key/1234');
      assert.equal(info.DataRetentionInHours, 24);
      const tags = await h.control.send(new ListTagsForStreamCommand({ StreamName: 'full.stream-1' }));
      assert.deepEqual(tags.Tags, { team: 'video', 'cost center': '12' });
    });

    test('an existing name is ResourceInUseException', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'dup' }));
      const error = await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'dup' })), 'ResourceInUseException', 400);
      assert.match(error.message, /dup/);
    });

    test('bad arguments are InvalidArgumentException naming the parameter', async () => {
      invalidArgument("1 validation error detected: Value 'x y' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")(
        await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'x y' })), 'InvalidArgumentException', 400),
      );
      invalidArgument("1 validation error detected: Value '-1' at 'dataRetentionInHours' failed to satisfy constraint: Member must have value greater than or equal to 0")(
        await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'ok', DataRetentionInHours: -1 })), 'InvalidArgumentException'),
      );
      invalidArgument(`1 validation error detected: Value '${'a'.repeat(257)}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 256`)(
        await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'a'.repeat(257) })), 'InvalidArgumentException'),
      );
      const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
      const tooMany = await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'ok', Tags: tags })), 'InvalidArgumentException');
      assert.match(tooMany.message, /^1 validation error detected: Value '\{k0=v, .*\}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/);
      const two = await serviceError(h.control.send(new CreateStreamCommand({ StreamName: '', MediaType: 'h264', DeviceName: 'd' })), 'InvalidArgumentException');
      assert.equal(
        two.message,
        "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
          "Value 'h264' at 'mediaType' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\-\\.\\+]+/[\\w\\-\\.\\+]+(,[\\w\\-\\.\\+]+/[\\w\\-\\.\\+]+)*",
      );
      const badTag = await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'ok', Tags: { 'bad<key>': 'v' } })), 'InvalidArgumentException');
      assert.match(badTag.message, /at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must satisfy regular expression pattern/);
      const reserved = await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'ok', Tags: { 'aws:owner': 'me' } })), 'InvalidArgumentException');
      assert.match(reserved.message, /'aws:' are reserved/);
      const tier = await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'ok', StreamStorageConfiguration: { DefaultStorageTier: 'COLD' as 'HOT' } })), 'InvalidArgumentException');
      assert.match(tier.message, /at 'streamStorageConfiguration.defaultStorageTier' failed to satisfy constraint: Member must satisfy enum value set: \[HOT, WARM\]/);
      await serviceError(h.control.send(new DescribeStreamCommand({ StreamName: 'ok' })), 'ResourceNotFoundException', 404);
    });

    test('DescribeStream of an unknown stream is ResourceNotFoundException; naming none is InvalidArgumentException', async () => {
      const missing = await serviceError(h.control.send(new DescribeStreamCommand({ StreamName: 'nope' })), 'ResourceNotFoundException', 404);
      assert.equal(missing.message, 'The requested stream is not found or not active.');
      await serviceError(h.control.send(new DescribeStreamCommand({ StreamARN: 'arn:aws:kinesisvideo:us-east-1:000000000000:stream/nope/1700000000000' })), 'ResourceNotFoundException', 404);
      const none = await serviceError(h.control.send(new DescribeStreamCommand({})), 'InvalidArgumentException', 400);
      assert.match(none.message, /StreamName or the StreamARN/);
      const badArn = await serviceError(h.control.send(new DescribeStreamCommand({ StreamARN: 'arn:aws:s3:::bucket' })), 'InvalidArgumentException');
      assert.match(badArn.message, /at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:/);
    });

    test('name and ARN must name the same stream', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'pair-a' }));
      await h.control.send(new CreateStreamCommand({ StreamName: 'pair-b' }));
      const a = await describeStream(h, 'pair-a');
      await serviceError(h.control.send(new DescribeStreamCommand({ StreamName: 'pair-b', StreamARN: a.StreamARN })), 'ResourceNotFoundException');
      assert.equal((await h.control.send(new DescribeStreamCommand({ StreamName: 'pair-a', StreamARN: a.StreamARN }))).StreamInfo?.StreamName, 'pair-a');
    });
  });

  describe('ListStreams', () => {
    let lh: Harness;
    before(async () => {
      lh = await startHarness({ throttle: { enabled: false } });
      // 25 streams: 15 named cam-NN and 10 named door-NN, created out of order.
      const names = [...Array.from({ length: 15 }, (_, i) => `cam-${String(i).padStart(2, '0')}`), ...Array.from({ length: 10 }, (_, i) => `door-${String(i).padStart(2, '0')}`)];
      for (const name of names.reverse()) await lh.control.send(new CreateStreamCommand({ StreamName: name }));
    });
    after(() => lh.close());

    test('25 streams in pages of 10, in name order', async () => {
      const first = await lh.control.send(new ListStreamsCommand({ MaxResults: 10 }));
      assert.equal(first.StreamInfoList?.length, 10);
      assert.match(first.NextToken ?? '', /^[a-zA-Z0-9+/=]+$/);
      const second = await lh.control.send(new ListStreamsCommand({ MaxResults: 10, NextToken: first.NextToken }));
      assert.equal(second.StreamInfoList?.length, 10);
      const third = await lh.control.send(new ListStreamsCommand({ MaxResults: 10, NextToken: second.NextToken }));
      assert.equal(third.StreamInfoList?.length, 5);
      assert.equal(third.NextToken, undefined);
      const names = [...(first.StreamInfoList ?? []), ...(second.StreamInfoList ?? []), ...(third.StreamInfoList ?? [])].map((s) => s.StreamName);
      assert.equal(new Set(names).size, 25);
      assert.deepEqual(names, [...names].sort());
      assert.equal(names[0], 'cam-00');
      assert.equal(names[24], 'door-09');
      for (const info of first.StreamInfoList ?? []) {
        assert.match(info.StreamARN ?? '', ARN);
        assert.equal(info.Status, 'ACTIVE');
        assert.ok(info.CreationTime instanceof Date);
      }
    });

    test('StreamNameCondition BEGINS_WITH, paginated', async () => {
      const pages: string[][] = [];
      for await (const page of paginateListStreams({ client: lh.control, pageSize: 10 }, { StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'cam-' } })) {
        pages.push((page.StreamInfoList ?? []).map((s) => s.StreamName ?? ''));
      }
      assert.deepEqual(
        pages.map((p) => p.length),
        [10, 5],
      );
      assert.ok(pages.flat().every((name) => name.startsWith('cam-')));
      const door = await lh.control.send(new ListStreamsCommand({ MaxResults: 4, StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'door-0' } }));
      assert.deepEqual(
        door.StreamInfoList?.map((s) => s.StreamName),
        ['door-00', 'door-01', 'door-02', 'door-03'],
      );
      const next = await lh.control.send(new ListStreamsCommand({ MaxResults: 4, NextToken: door.NextToken, StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'door-0' } }));
      assert.deepEqual(
        next.StreamInfoList?.map((s) => s.StreamName),
        ['door-04', 'door-05', 'door-06', 'door-07'],
      );
      const none = await lh.control.send(new ListStreamsCommand({ StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'window' } }));
      assert.deepEqual(none.StreamInfoList, []);
    });

    test('without MaxResults every stream comes in one page', async () => {
      const all = await lh.control.send(new ListStreamsCommand({}));
      assert.equal(all.StreamInfoList?.length, 25);
      assert.equal(all.NextToken, undefined);
    });

    test('bad MaxResults, NextToken and condition are InvalidArgumentException', async () => {
      invalidArgument("1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")(
        await serviceError(lh.control.send(new ListStreamsCommand({ MaxResults: 0 })), 'InvalidArgumentException'),
      );
      const big = await serviceError(lh.control.send(new ListStreamsCommand({ MaxResults: 10001 })), 'InvalidArgumentException');
      assert.match(big.message, /'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000/);
      const token = await serviceError(lh.control.send(new ListStreamsCommand({ NextToken: 'bm90LWEtdG9rZW4=' })), 'InvalidArgumentException');
      assert.match(token.message, /NextToken is not valid/);
      const op = await serviceError(lh.control.send(new ListStreamsCommand({ StreamNameCondition: { ComparisonOperator: 'ENDS_WITH' as 'BEGINS_WITH', ComparisonValue: 'x' } })), 'InvalidArgumentException');
      assert.match(op.message, /at 'streamNameCondition.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: \[BEGINS_WITH\]/);
    });
  });

  describe('UpdateStream and UpdateDataRetention', () => {
    test('UpdateStream changes the members and the version', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'upd', DeviceName: 'old' }));
      const before = await describeStream(h, 'upd');
      await h.control.send(new UpdateStreamCommand({ StreamName: 'upd', CurrentVersion: before.Version, DeviceName: 'new', MediaType: 'video/h265' }));
      const afterUpdate = await describeStream(h, 'upd');
      assert.equal(afterUpdate.DeviceName, 'new');
      assert.equal(afterUpdate.MediaType, 'video/h265');
      assert.notEqual(afterUpdate.Version, before.Version);
      assert.match(afterUpdate.Version ?? '', /^[A-Za-z0-9]{20}$/);
      assert.equal(afterUpdate.StreamARN, before.StreamARN);
      assert.deepEqual(afterUpdate.CreationTime, before.CreationTime);
      // By ARN too.
      await h.control.send(new UpdateStreamCommand({ StreamARN: before.StreamARN, CurrentVersion: afterUpdate.Version, MediaType: 'video/h264' }));
      assert.equal((await describeStream(h, 'upd')).MediaType, 'video/h264');
    });

    test('a stale version is VersionMismatchException', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'vm' }));
      const v1 = (await describeStream(h, 'vm')).Version;
      await h.control.send(new UpdateStreamCommand({ StreamName: 'vm', CurrentVersion: v1, DeviceName: 'a' }));
      await serviceError(h.control.send(new UpdateStreamCommand({ StreamName: 'vm', CurrentVersion: v1, DeviceName: 'b' })), 'VersionMismatchException', 400);
      await serviceError(h.control.send(new UpdateDataRetentionCommand({ StreamName: 'vm', CurrentVersion: v1, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 1 })), 'VersionMismatchException', 400);
      assert.equal((await describeStream(h, 'vm')).DeviceName, 'a');
    });

    test('UpdateStream errors', async () => {
      invalidArgument("1 validation error detected: Value null at 'currentVersion' failed to satisfy constraint: Member must not be null")(
        await serviceError(h.control.send(new UpdateStreamCommand({ StreamName: 'vm', CurrentVersion: undefined })), 'InvalidArgumentException'),
      );
      await serviceError(h.control.send(new UpdateStreamCommand({ StreamName: 'missing', CurrentVersion: 'abc' })), 'ResourceNotFoundException', 404);
      const badVersion = await serviceError(h.control.send(new UpdateStreamCommand({ StreamName: 'vm', CurrentVersion: 'a-b' })), 'InvalidArgumentException');
      assert.match(badVersion.message, /'currentVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9\]\+/);
    });

    test('UpdateDataRetention increases and decreases, not below 0', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'ret', DataRetentionInHours: 2 }));
      let info = await describeStream(h, 'ret');
      await h.control.send(new UpdateDataRetentionCommand({ StreamName: 'ret', CurrentVersion: info.Version, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 10 }));
      info = await describeStream(h, 'ret');
      assert.equal(info.DataRetentionInHours, 12);
      await h.control.send(new UpdateDataRetentionCommand({ StreamARN: info.StreamARN, CurrentVersion: info.Version, Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 12 }));
      info = await describeStream(h, 'ret');
      assert.equal(info.DataRetentionInHours, 0);
      const below = await serviceError(h.control.send(new UpdateDataRetentionCommand({ StreamName: 'ret', CurrentVersion: info.Version, Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 1 })), 'InvalidArgumentException');
      assert.match(below.message, /cannot be decreased/);
      const above = await serviceError(h.control.send(new UpdateDataRetentionCommand({ StreamName: 'ret', CurrentVersion: info.Version, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 87601 })), 'InvalidArgumentException');
      assert.match(above.message, /maximum is 87600/);
      assert.equal((await describeStream(h, 'ret')).Version, info.Version, 'refused changes leave the version alone');
    });

    test('UpdateDataRetention argument errors', async () => {
      const info = await describeStream(h, 'ret');
      invalidArgument("1 validation error detected: Value '0' at 'dataRetentionChangeInHours' failed to satisfy constraint: Member must have value greater than or equal to 1")(
        await serviceError(h.control.send(new UpdateDataRetentionCommand({ StreamName: 'ret', CurrentVersion: info.Version, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 0 })), 'InvalidArgumentException'),
      );
      invalidArgument("1 validation error detected: Value 'GROW' at 'operation' failed to satisfy constraint: Member must satisfy enum value set: [INCREASE_DATA_RETENTION, DECREASE_DATA_RETENTION]")(
        await serviceError(
          h.control.send(new UpdateDataRetentionCommand({ StreamName: 'ret', CurrentVersion: info.Version, Operation: 'GROW' as 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 1 })),
          'InvalidArgumentException',
        ),
      );
      const missing = await serviceError(h.control.send(new UpdateDataRetentionCommand({ StreamName: 'ret', CurrentVersion: undefined, Operation: undefined, DataRetentionChangeInHours: undefined })), 'InvalidArgumentException');
      assert.match(missing.message, /^3 validation errors detected: Value null at 'currentVersion'.*; Value null at 'operation'.*; Value null at 'dataRetentionChangeInHours'/);
    });
  });

  describe('DeleteStream', () => {
    test('deletes by ARN; the name can be used again, with a new ARN', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'del' }));
      const first = await describeStream(h, 'del');
      await h.control.send(new DeleteStreamCommand({ StreamARN: first.StreamARN, CurrentVersion: first.Version }));
      await serviceError(h.control.send(new DescribeStreamCommand({ StreamName: 'del' })), 'ResourceNotFoundException', 404);
      await serviceError(h.control.send(new DeleteStreamCommand({ StreamARN: first.StreamARN })), 'ResourceNotFoundException', 404);
      await h.control.send(new CreateStreamCommand({ StreamName: 'del' }));
      const second = await describeStream(h, 'del');
      assert.notEqual(second.StreamARN, first.StreamARN);
      await serviceError(h.control.send(new DescribeStreamCommand({ StreamARN: first.StreamARN })), 'ResourceNotFoundException', 404);
    });

    test('StreamARN is required; CurrentVersion, when given, must match', async () => {
      invalidArgument("1 validation error detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null")(
        await serviceError(h.control.send(new DeleteStreamCommand({ StreamARN: undefined })), 'InvalidArgumentException'),
      );
      const info = await describeStream(h, 'del');
      await serviceError(h.control.send(new DeleteStreamCommand({ StreamARN: info.StreamARN, CurrentVersion: 'stale0000000000000000' })), 'VersionMismatchException', 400);
      await describeStream(h, 'del');
      await h.control.send(new DeleteStreamCommand({ StreamARN: info.StreamARN }));
    });
  });

  describe('GetDataEndpoint', () => {
    test('every APIName answers this server\'s own URL', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'ep' }));
      const names: APIName[] = ['PUT_MEDIA', 'GET_MEDIA', 'LIST_FRAGMENTS', 'GET_MEDIA_FOR_FRAGMENT_LIST', 'GET_HLS_STREAMING_SESSION_URL', 'GET_DASH_STREAMING_SESSION_URL', 'GET_CLIP', 'GET_IMAGES'];
      const arn = (await describeStream(h, 'ep')).StreamARN;
      for (const APIName of names) {
        assert.equal((await h.control.send(new GetDataEndpointCommand({ StreamName: 'ep', APIName }))).DataEndpoint, h.server.url, APIName);
        assert.equal((await h.control.send(new GetDataEndpointCommand({ StreamARN: arn, APIName }))).DataEndpoint, h.server.url, APIName);
      }
    });

    test('errors', async () => {
      await serviceError(h.control.send(new GetDataEndpointCommand({ StreamName: 'nope', APIName: 'GET_MEDIA' })), 'ResourceNotFoundException', 404);
      const bad = await serviceError(h.control.send(new GetDataEndpointCommand({ StreamName: 'ep', APIName: 'GET_HLS' as APIName })), 'InvalidArgumentException');
      assert.match(bad.message, /^1 validation error detected: Value 'GET_HLS' at 'aPIName' failed to satisfy constraint: Member must satisfy enum value set: \[PUT_MEDIA, GET_MEDIA, /);
      const missing = await serviceError(h.control.send(new GetDataEndpointCommand({ StreamName: 'ep', APIName: undefined })), 'InvalidArgumentException');
      assert.match(missing.message, /Value null at 'aPIName' failed to satisfy constraint: Member must not be null/);
    });
  });

  describe('tags', () => {
    test('TagStream, UntagStream, ListTagsForStream (map form)', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'tags', Tags: { a: '1' } }));
      const version = (await describeStream(h, 'tags')).Version;
      await h.control.send(new TagStreamCommand({ StreamName: 'tags', Tags: { b: '2', a: 'one', empty: '' } }));
      assert.deepEqual((await h.control.send(new ListTagsForStreamCommand({ StreamName: 'tags' }))).Tags, { a: 'one', b: '2', empty: '' });
      await h.control.send(new UntagStreamCommand({ StreamName: 'tags', TagKeyList: ['a', 'not-there'] }));
      const arn = (await describeStream(h, 'tags')).StreamARN;
      assert.deepEqual((await h.control.send(new ListTagsForStreamCommand({ StreamARN: arn }))).Tags, { b: '2', empty: '' });
      assert.equal((await describeStream(h, 'tags')).Version, version, 'tags do not change the version');
    });

    test('more than 50 tags on a stream is TagsPerResourceExceededLimitException', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'many', Tags: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`k${i}`, 'v'])) }));
      await h.control.send(new TagStreamCommand({ StreamName: 'many', Tags: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`x${i}`, 'v'])) }));
      await h.control.send(new TagStreamCommand({ StreamName: 'many', Tags: { k0: 'replaced' } }));
      await serviceError(h.control.send(new TagStreamCommand({ StreamName: 'many', Tags: { one: 'too many' } })), 'TagsPerResourceExceededLimitException', 400);
      assert.equal(Object.keys((await h.control.send(new ListTagsForStreamCommand({ StreamName: 'many' }))).Tags ?? {}).length, 50);
    });

    test('tag errors', async () => {
      await serviceError(h.control.send(new TagStreamCommand({ StreamName: 'nope', Tags: { a: 'b' } })), 'ResourceNotFoundException', 404);
      await serviceError(h.control.send(new ListTagsForStreamCommand({ StreamName: 'nope' })), 'ResourceNotFoundException', 404);
      const empty = await serviceError(h.control.send(new UntagStreamCommand({ StreamName: 'tags', TagKeyList: [] })), 'InvalidArgumentException');
      assert.match(empty.message, /at 'tagKeyList' failed to satisfy constraint: Member must have length greater than or equal to 1/);
      const long = await serviceError(h.control.send(new UntagStreamCommand({ StreamName: 'tags', TagKeyList: ['k'.repeat(129)] })), 'InvalidArgumentException');
      assert.match(long.message, /at 'tagKeyList.1.member' failed to satisfy constraint: Member must have length less than or equal to 128/);
      const missing = await serviceError(h.control.send(new TagStreamCommand({ StreamName: 'tags', Tags: undefined })), 'InvalidArgumentException');
      assert.match(missing.message, /Value null at 'tags' failed to satisfy constraint: Member must not be null/);
      await serviceError(h.control.send(new TagStreamCommand({ StreamName: 'tags', Tags: { 'AWS:x': 'y' } })), 'InvalidArgumentException');
    });

    test('TagResource, UntagResource, ListTagsForResource (list form in, map out)', async () => {
      await h.control.send(new CreateStreamCommand({ StreamName: 'res' }));
      const arn = (await describeStream(h, 'res')).StreamARN;
      await h.control.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'me' }] }));
      assert.deepEqual((await h.control.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, { env: 'dev', owner: 'me' });
      assert.deepEqual((await h.control.send(new ListTagsForStreamCommand({ StreamName: 'res' }))).Tags, { env: 'dev', owner: 'me' });
      await h.control.send(new UntagResourceCommand({ ResourceARN: arn, TagKeyList: ['owner'] }));
      assert.deepEqual((await h.control.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, { env: 'dev' });
    });

    test('TagResource errors', async () => {
      const arn = (await describeStream(h, 'res')).StreamARN;
      const channel = await serviceError(h.control.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:kinesisvideo:us-east-1:000000000000:channel/chan/1700000000000' })), 'ResourceNotFoundException', 404);
      assert.match(channel.message, /signaling channels/);
      await serviceError(h.control.send(new TagResourceCommand({ ResourceARN: 'arn:aws:kinesisvideo:us-east-1:000000000000:stream/res/1' , Tags: [{ Key: 'a', Value: 'b' }] })), 'ResourceNotFoundException', 404);
      const noValue = await serviceError(h.control.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: undefined }] })), 'InvalidArgumentException');
      assert.match(noValue.message, /Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null/);
      const noArn = await serviceError(h.control.send(new UntagResourceCommand({ ResourceARN: undefined, TagKeyList: ['a'] })), 'InvalidArgumentException');
      assert.match(noArn.message, /Value null at 'resourceARN'/);
      const tooMany = await serviceError(h.control.send(new TagResourceCommand({ ResourceARN: arn, Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) })), 'InvalidArgumentException');
      assert.match(tooMany.message, /at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50/);
    });
  });
});

describe('stream status transitions (with a delay, like the service)', () => {
  test('CREATING, then ACTIVE; DELETING, then gone; a DELETING name is in use', async () => {
    const deleted: StreamRecord[] = [];
    const h = await startHarness({ streamTransitionDelayMs: 500, onStreamDelete: (stream) => void deleted.push(stream) });
    try {
      await h.control.send(new CreateStreamCommand({ StreamName: 'slow' }));
      assert.equal((await describeStream(h, 'slow')).Status, 'CREATING');
      const early = await describeStream(h, 'slow');
      await serviceError(h.control.send(new UpdateStreamCommand({ StreamName: 'slow', CurrentVersion: early.Version, DeviceName: 'x' })), 'ResourceInUseException', 400);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const active = await describeStream(h, 'slow');
      assert.equal(active.Status, 'ACTIVE');

      await h.control.send(new UpdateStreamCommand({ StreamName: 'slow', CurrentVersion: active.Version, DeviceName: 'x' }));
      assert.equal((await describeStream(h, 'slow')).Status, 'UPDATING');
      await new Promise((resolve) => setTimeout(resolve, 800));
      const updated = await describeStream(h, 'slow');
      assert.equal(updated.Status, 'ACTIVE');

      await h.control.send(new DeleteStreamCommand({ StreamARN: updated.StreamARN }));
      assert.equal((await describeStream(h, 'slow')).Status, 'DELETING');
      const listed = await h.control.send(new ListStreamsCommand({}));
      assert.equal(listed.StreamInfoList?.[0]?.Status, 'DELETING');
      await serviceError(h.control.send(new GetDataEndpointCommand({ StreamName: 'slow', APIName: 'GET_MEDIA' })), 'ResourceNotFoundException', 404);
      await serviceError(h.control.send(new CreateStreamCommand({ StreamName: 'slow' })), 'ResourceInUseException', 400);
      await new Promise((resolve) => setTimeout(resolve, 800));
      await serviceError(h.control.send(new DescribeStreamCommand({ StreamName: 'slow' })), 'ResourceNotFoundException', 404);
      assert.deepEqual(
        deleted.map((s) => [s.streamName, s.status]),
        [['slow', 'DELETING']],
      );
    } finally {
      await h.close();
    }
  });
});

describe('persistence', () => {
  test('streams survive a restart on the same data directory', async () => {
    const dataDir = await tempDir();
    try {
      const first = await startHarness({ dataDir });
      await first.control.send(new CreateStreamCommand({ StreamName: 'keep', DeviceName: 'dev', MediaType: 'video/h264', DataRetentionInHours: 48, Tags: { a: 'b' } }));
      await first.control.send(new CreateStreamCommand({ StreamName: 'gone' }));
      const gone = await describeStream(first, 'gone');
      await first.control.send(new DeleteStreamCommand({ StreamARN: gone.StreamARN }));
      const before = await describeStream(first, 'keep');
      await first.close();

      const file = JSON.parse(await readFile(join(dataDir, 'streams.json'), 'utf8')) as { streams: { streamName: string }[] };
      assert.deepEqual(
        file.streams.map((s) => s.streamName),
        ['keep'],
      );

      const second = await startHarness({ dataDir });
      assert.deepEqual(await describeStream(second, 'keep'), before);
      assert.deepEqual((await second.control.send(new ListTagsForStreamCommand({ StreamName: 'keep' }))).Tags, { a: 'b' });
      await serviceError(second.control.send(new DescribeStreamCommand({ StreamName: 'gone' })), 'ResourceNotFoundException');
      assert.notEqual(second.server.port, 0);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
