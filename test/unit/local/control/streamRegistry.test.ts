import assert from 'node:assert/strict';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { KvsError } from '../../../../src/local/http/errors';
import type { StreamRecord, StreamRegistryOptions } from '../../../../src/local/control/streamRegistry';
import { StreamRegistry, defaultKmsKeyId, newVersion, streamArn, toStreamInfo } from '../../../../src/local/control/streamRegistry';
import { tempDir } from '../http/harness';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function open(dir: string, options: Partial<StreamRegistryOptions> = {}): Promise<StreamRegistry> {
  return StreamRegistry.open({ dataDir: dir, transitionDelayMs: 0, ...options });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function readStreamsFile(dir: string): Promise<{ format: number; streams: StreamRecord[] }> {
  return JSON.parse(await readFile(join(dir, 'streams.json'), 'utf8')) as { format: number; streams: StreamRecord[] };
}

test('ARNs, KMS key ids and versions', () => {
  assert.equal(streamArn('us-east-1', '444709715744', 'camera_101', 1705489836421), 'arn:aws:kinesisvideo:us-east-1:444709715744:stream/camera_101/1705489836421');
  assert.equal(streamArn('cn-north-1', '1', 's', 2), 'arn:aws-cn:kinesisvideo:cn-north-1:1:stream/s/2');
  assert.equal(streamArn('us-gov-west-1', '1', 's', 2), 'arn:aws-us-gov:kinesisvideo:us-gov-west-1:1:stream/s/2');
  assert.equal(defaultKmsKeyId('eu-west-1', '123456789012'), 'arn:aws:kms:eu-west-1:123456789012:alias/aws/kinesisvideo');
  const versions = new Set(Array.from({ length: 100 }, newVersion));
  assert.equal(versions.size, 100);
  for (const v of versions) assert.match(v, /^[A-Za-z0-9]{20}$/);
});

test('region and account shape ARNs; every change is on disk when the call resolves', async () => {
  await withDir(async (dir) => {
    const registry = await open(dir, { region: 'eu-west-1', accountId: '123456789012', now: () => 1700000000123 });
    const a = await registry.create({ streamName: 'a', tags: { k: 'v' } });
    const b = await registry.create({ streamName: 'b' });
    assert.equal(a.streamARN, 'arn:aws:kinesisvideo:eu-west-1:123456789012:stream/a/1700000000123');
    assert.equal(b.creationTimeMs, 1700000000124, 'ARNs stay distinct within one millisecond');
    assert.equal(a.kmsKeyId, 'arn:aws:kms:eu-west-1:123456789012:alias/aws/kinesisvideo');
    let file = await readStreamsFile(dir);
    assert.equal(file.format, 1);
    assert.deepEqual(file.streams, [a, b]);

    const updated = await registry.update({ streamName: 'a' }, a.version, { mediaType: 'video/h264', dataRetentionInHours: 5 });
    assert.notEqual(updated.version, a.version);
    const tagged = await registry.tag({ streamARN: a.streamARN }, { x: 'y' });
    assert.equal(tagged.version, updated.version, 'tagging keeps the version');
    await registry.untag({ streamName: 'a' }, ['k']);
    file = await readStreamsFile(dir);
    assert.deepEqual(file.streams[0], { ...updated, tags: { x: 'y' } });
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary file is left behind',
    );
    await registry.close();
  });
});

test('records handed out are copies', async () => {
  await withDir(async (dir) => {
    const registry = await open(dir);
    const created = await registry.create({ streamName: 's', tags: { a: '1' } });
    (created.tags as Record<string, string>).a = 'changed';
    assert.equal(registry.get('s')?.tags.a, '1');
    await registry.close();
  });
});

test('concurrent changes are all persisted, and survive reopening', async () => {
  await withDir(async (dir) => {
    const registry = await open(dir);
    await Promise.all(Array.from({ length: 40 }, (_, i) => registry.create({ streamName: `s${i}` })));
    await registry.close();
    const reopened = await open(dir);
    assert.equal(reopened.size, 40);
    assert.deepEqual(
      reopened.list().map((s) => s.streamName),
      Array.from({ length: 40 }, (_, i) => `s${i}`).sort(),
    );
    await reopened.close();
  });
});

test('find and require: by name, by ARN, both, and DELETING streams', async () => {
  await withDir(async (dir) => {
    const registry = await open(dir, { transitionDelayMs: 10_000 });
    const s = await registry.create({ streamName: 'cam' });
    assert.equal(s.status, 'CREATING');
    assert.equal(registry.find({ streamName: 'cam' })?.streamARN, s.streamARN);
    assert.equal(registry.find({ streamARN: s.streamARN })?.streamName, 'cam');
    assert.equal(registry.find({ streamARN: `${s.streamARN}0` }), undefined);
    assert.equal(registry.find({ streamARN: s.streamARN, streamName: 'other' }), undefined);
    assert.equal(registry.throttleKey({ streamARN: s.streamARN }), 'cam');
    assert.equal(registry.throttleKey({ streamARN: 'arn:aws:kinesisvideo:us-east-1:0:stream/x/1' }), 'arn:aws:kinesisvideo:us-east-1:0:stream/x/1');
    await registry.delete(s.streamARN);
    assert.equal(registry.find({ streamName: 'cam' }), undefined, 'data operations do not see a DELETING stream');
    assert.equal(registry.find({ streamName: 'cam' }, { includeDeleting: true })?.status, 'DELETING');
    assert.throws(() => registry.require({ streamName: 'cam' }), (e: unknown) => e instanceof KvsError && e.name === 'ResourceNotFoundException' && e.status === 404);
    await assert.rejects(registry.delete(s.streamARN), (e: unknown) => e instanceof KvsError && e.name === 'ResourceInUseException');
    await assert.rejects(registry.create({ streamName: 'cam' }), (e: unknown) => e instanceof KvsError && e.name === 'ResourceInUseException');
    await registry.close();
  });
});

test('CREATING becomes ACTIVE after the delay, and on reopening when interrupted', async () => {
  await withDir(async (dir) => {
    const registry = await open(dir, { transitionDelayMs: 50 });
    await registry.create({ streamName: 'quick' });
    assert.equal(registry.get('quick')?.status, 'CREATING');
    await sleep(150);
    assert.equal(registry.get('quick')?.status, 'ACTIVE');
    assert.equal((await readStreamsFile(dir)).streams[0]?.status, 'ACTIVE');

    const slow = await registry.create({ streamName: 'slow' });
    await registry.close();
    assert.equal((await readStreamsFile(dir)).streams[1]?.status, 'CREATING');
    const reopened = await open(dir);
    assert.equal(reopened.get('slow')?.status, 'ACTIVE');
    assert.equal(reopened.get('slow')?.version, slow.version);
    assert.equal((await readStreamsFile(dir)).streams[1]?.status, 'ACTIVE');
    await reopened.close();
  });
});

test('delete hooks run while the stream is DELETING; an interrupted deletion finishes on reopening', async () => {
  await withDir(async (dir) => {
    const seen: [string, string][] = [];
    const registry = await open(dir, { transitionDelayMs: 60_000, onDelete: (s) => void seen.push([s.streamName, s.status]) });
    const s = await registry.create({ streamName: 'doomed' });
    await registry.delete(s.streamARN);
    await registry.close();
    assert.equal(seen.length, 0);
    assert.equal((await readStreamsFile(dir)).streams[0]?.status, 'DELETING');

    const reopened = await open(dir, { onDelete: (r) => void seen.push([r.streamName, r.status]) });
    await sleep(50);
    assert.deepEqual(seen, [['doomed', 'DELETING']]);
    assert.equal(reopened.size, 0);
    assert.deepEqual((await readStreamsFile(dir)).streams, []);
    await reopened.close();
  });
});

test('a failing delete hook is reported and retried; the stream stays DELETING meanwhile', async () => {
  await withDir(async (dir) => {
    let failures = 1;
    const errors: unknown[] = [];
    const registry = await open(dir, {
      deleteRetryMs: 30,
      onError: (e) => errors.push(e),
      onDelete: () => {
        if (failures-- > 0) throw new Error('disk busy');
      },
    });
    const hooked: string[] = [];
    registry.addDeleteHook((s) => void hooked.push(s.streamName));
    const s = await registry.create({ streamName: 'x' });
    await registry.delete(s.streamARN, s.version);
    assert.equal(registry.get('x')?.status, 'DELETING');
    assert.equal((errors[0] as Error).message, 'disk busy');
    await sleep(120);
    assert.equal(registry.get('x'), undefined);
    assert.deepEqual(hooked, ['x']);
    await registry.close();
  });
});

test('version checks on update and delete', async () => {
  await withDir(async (dir) => {
    const registry = await open(dir);
    const s = await registry.create({ streamName: 'v' });
    await assert.rejects(registry.update({ streamName: 'v' }, 'old', { deviceName: 'd' }), (e: unknown) => e instanceof KvsError && e.name === 'VersionMismatchException' && e.status === 400);
    await assert.rejects(registry.delete(s.streamARN, 'old'), (e: unknown) => e instanceof KvsError && e.name === 'VersionMismatchException');
    await assert.rejects(registry.update({ streamName: 'nope' }, s.version, {}), (e: unknown) => e instanceof KvsError && e.name === 'ResourceNotFoundException');
    await registry.close();
    await assert.rejects(registry.create({ streamName: 'late' }), (e: unknown) => e instanceof KvsError && e.name === 'ServiceUnavailableException');
  });
});

test('StreamInfo JSON: epoch seconds with milliseconds, optional members only when set', async () => {
  await withDir(async (dir) => {
    const registry = await open(dir, { now: () => 1705489836421 });
    const s = await registry.create({ streamName: 'camera_101', deviceName: 'dev' });
    assert.deepEqual(toStreamInfo(s), {
      DeviceName: 'dev',
      StreamName: 'camera_101',
      StreamARN: 'arn:aws:kinesisvideo:us-east-1:000000000000:stream/camera_101/1705489836421',
      KmsKeyId: 'arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo',
      Version: s.version,
      Status: 'ACTIVE',
      CreationTime: 1705489836.421,
      DataRetentionInHours: 0,
    });
    await registry.close();
  });
});

test('a damaged streams.json stops the start with the file named; leftover temp files are removed', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'streams.json'), '{"streams": [', 'utf8');
    await assert.rejects(open(dir), (e: unknown) => e instanceof Error && e.message.includes(join(dir, 'streams.json')));
    await writeFile(join(dir, 'streams.json'), '{"streams": [{"streamName": 1}]}', 'utf8');
    await assert.rejects(open(dir), /bad stream entry/);
    await writeFile(join(dir, 'streams.json'), '{"format":1,"streams":[]}', 'utf8');
    await writeFile(join(dir, 'streams.json.123.4.tmp'), 'partial', 'utf8');
    const registry = await open(dir);
    assert.deepEqual(await readdir(dir), ['streams.json']);
    await registry.close();
  });
});

test('bad options are refused', async () => {
  await assert.rejects(StreamRegistry.open({ dataDir: '/tmp', accountId: 'acct' }), RangeError);
  await assert.rejects(StreamRegistry.open({ dataDir: '/tmp', region: 'US East' }), RangeError);
  await assert.rejects(StreamRegistry.open({ dataDir: '/tmp', transitionDelayMs: -1 }), RangeError);
});
