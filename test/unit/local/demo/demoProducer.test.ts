// The demo producer of kvs-local --demo: the clip loaded and re-timed, and real PutMedia into KVS
// Local in real time (fragments close to the wall clock), surviving a restart of the service.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { GetDataEndpointCommand } from '@aws-sdk/client-kinesis-video';
import { GetMediaForFragmentListCommand, KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { bytesSource } from '../../../../src/formats/byteSource';
import { BlockFlag } from '../../../../src/formats/matroska/blockTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { FileSource } from '../../../../src/io/fileSource';
import type { LogLevel } from '../../../../src/local/http/router';
import { defaultDemoClipPath, loadDemoClip, startDemoProducer } from '../../../../src/local/demo/demoProducer';
import { credentials, REGION, startLocalService, type LocalService } from '../../kvs/putMedia/localService';

const CLIP_PATH = resolve('media/demo.mkv');

test('defaultDemoClipPath finds media/demo.mkv from the source tree and from the bundles', async () => {
  assert.equal(defaultDemoClipPath(), CLIP_PATH);
  assert.equal(defaultDemoClipPath(resolve('dist/cli')), CLIP_PATH);
  assert.equal(defaultDemoClipPath(resolve('dist')), CLIP_PATH);
  const elsewhere = await mkdtemp(join(tmpdir(), 'no-clip-'));
  try {
    assert.throws(() => defaultDemoClipPath(join(elsewhere, 'a', 'b')), /demo clip media\/demo\.mkv was not found/);
  } finally {
    await rm(elsewhere, { recursive: true, force: true });
  }
});

test('loadDemoClip: a live header and every cluster with its blocks, relative timecodes and flags', () => {
  const clip = loadDemoClip(CLIP_PATH);
  const source = new FileSource(CLIP_PATH);
  try {
    const original = readMatroska(source);
    assert.deepEqual(clip.clusters.map((c) => c.offsetMs), [0, 1002, 2005, 3008]);
    assert.deepEqual(clip.trackNumbers, [1, 2]);
    // The clip ends at 4010 ms + one 21.3 ms AAC frame: the next pass starts after it.
    assert.ok(clip.periodMs >= 4021 && clip.periodMs <= 4040, `period ${clip.periodMs}`);
    const table = original.blocks;
    clip.clusters.forEach((cluster, c) => {
      const from = original.clusters[c];
      assert.ok(from);
      assert.equal(cluster.blocks.length, from.endBlock - from.firstBlock);
      cluster.blocks.forEach((block, k) => {
        const i = from.firstBlock + k;
        assert.equal(block.track, table.track[i]);
        assert.equal(block.relativeTimecode, table.relativeTimecode[i]);
        assert.equal(block.keyframe, ((table.flags[i] ?? 0) & BlockFlag.Key) !== 0);
        assert.deepEqual(block.data, source.read(table.payloadOffset[i] ?? 0, table.payloadSize[i] ?? 0));
      });
      assert.ok(cluster.spanMs > 1000 && cluster.spanMs < 1100, `span ${cluster.spanMs}`);
    });
    const header = readMatroska(bytesSource(clip.header));
    const segment = header.documents[0]?.segments[0];
    assert.equal(segment?.dataSize, null, 'a live Segment has an unknown size');
    assert.equal(segment?.info.duration, undefined);
    assert.deepEqual(segment?.tracks.map((t) => t.codecId), ['V_MPEG4/ISO/AVC', 'A_AAC']);
  } finally {
    source.close();
  }
});

let local: LocalService;
before(async () => {
  // The service's own demo producer stays off: this file runs the producer itself.
  local = await startLocalService();
  await local.createStream('demo');
});
after(() => local.close());

interface LogLine {
  level: LogLevel;
  message: string;
}

test('produces the clip in real time: fragments every second, producer timestamps on the wall clock', async () => {
  const logs: LogLine[] = [];
  const started = Date.now();
  const producer = startDemoProducer({
    endpoint: await local.dataEndpoint('demo'),
    region: REGION,
    credentials: credentials(),
    streamName: 'demo',
    clipPath: CLIP_PATH,
    log: (level, message) => logs.push({ level, message }),
  });
  await sleep(3200);
  const stopping = Date.now();
  await producer.stop();
  assert.ok(Date.now() - stopping < 500, 'stop() is prompt');
  await producer.stop();

  const fragments = await local.listFragments('demo');
  assert.ok(fragments.length >= 3 && fragments.length <= 5, `${fragments.length} fragments`);
  let previous = 0;
  for (const fragment of fragments) {
    const producerMs = fragment.ProducerTimestamp?.getTime() ?? 0;
    const serverMs = fragment.ServerTimestamp?.getTime() ?? 0;
    assert.ok(Math.abs(producerMs - serverMs) < 1000, `producer ${producerMs} vs server ${serverMs}`);
    assert.ok(producerMs >= started - 1000 && producerMs <= stopping + 1000);
    assert.ok(producerMs > previous);
    previous = producerMs;
  }
  const first = fragments[0]?.ProducerTimestamp?.getTime() ?? 0;
  assert.deepEqual(
    fragments.slice(0, 3).map((f) => (f.ProducerTimestamp?.getTime() ?? 0) - first),
    [0, 1002, 2005],
  );
  assert.deepEqual(logs.filter((l) => l.level !== 'info' && l.level !== 'debug'), []);

  // Nothing more once stopped.
  await sleep(1200);
  assert.equal((await local.listFragments('demo')).length, fragments.length);

  // The blocks arrive as in the clip: same count, relative timecodes and key flags.
  const endpoint = (await local.control.send(new GetDataEndpointCommand({ StreamName: 'demo', APIName: 'GET_MEDIA_FOR_FRAGMENT_LIST' }))).DataEndpoint;
  const archived = new KinesisVideoArchivedMediaClient({ region: REGION, credentials: credentials(), endpoint });
  try {
    const answer = await archived.send(new GetMediaForFragmentListCommand({ StreamName: 'demo', Fragments: [fragments[1]?.FragmentNumber ?? ''] }));
    const bytes = await answer.Payload?.transformToByteArray();
    assert.ok(bytes);
    const got = readMatroska(bytesSource(bytes));
    const cluster = got.clusters[0];
    assert.ok(cluster);
    assert.equal(cluster.timeMs, fragments[1]?.ProducerTimestamp?.getTime());
    const expected = loadDemoClip(CLIP_PATH).clusters[1];
    assert.ok(expected);
    const rows = Array.from({ length: cluster.endBlock - cluster.firstBlock }, (_, k) => cluster.firstBlock + k);
    assert.deepEqual(
      rows.map((i) => [got.blocks.track[i], got.blocks.relativeTimecode[i], ((got.blocks.flags[i] ?? 0) & BlockFlag.Key) !== 0, got.blocks.payloadSize[i]]),
      expected.blocks.map((b) => [b.track, b.relativeTimecode, b.keyframe, b.data.length]),
    );
  } finally {
    archived.destroy();
  }
});

test('waits for its stream, and reconnects when the service restarts, without going back in time', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kvs-demo-restart-'));
  let service = await startLocalService({ dataDir });
  const port = Number(new URL(service.url).port);
  const logs: LogLine[] = [];
  const producer = startDemoProducer({
    endpoint: service.url,
    region: REGION,
    credentials: credentials(),
    streamName: 'late',
    clipPath: CLIP_PATH,
    log: (level, message) => logs.push({ level, message }),
    reconnectDelayMs: { initial: 100, max: 400 },
  });
  try {
    // No stream yet: PutMedia is refused and retried.
    await sleep(400);
    assert.match(logs.find((l) => l.level === 'warn')?.message ?? '', /PutMedia failed \(ResourceNotFoundException: .*\); reconnecting in 0\.1 s/);
    await service.createStream('late');
    await sleep(1700);
    const before = await service.listFragments('late');
    assert.ok(before.length >= 1, `${before.length} fragments before the restart`);

    await service.close();
    service = await startLocalService({ dataDir, port });
    await sleep(2500);
    const fragments = await service.listFragments('late');
    assert.ok(fragments.length >= before.length + 1, `${fragments.length} fragments after the restart (${before.length} before)`);
    const times = fragments.map((f) => f.ProducerTimestamp?.getTime() ?? 0);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.equal(new Set(times).size, times.length);
    const newest = times.at(-1) ?? 0;
    assert.ok(Math.abs(newest - Date.now()) < 2500, 'fresh fragments after the restart');
    assert.deepEqual(logs.filter((l) => l.message.includes('ERROR')), [], 'no ERROR acknowledgements');
  } finally {
    await producer.stop();
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
