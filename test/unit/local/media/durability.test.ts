// What survives: restarts, crashes mid-ingest, retention; and what a second producer or a live reader sees.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CreateStreamCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { GetMediaForFragmentListCommand, KinesisVideoArchivedMediaClient, ListFragmentsCommand } from '@aws-sdk/client-kinesis-video-archived-media';
import { GetMediaCommand } from '@aws-sdk/client-kinesis-video-media';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { DEFAULT_LOCAL_CREDENTIALS } from '../../../../src/local/defaults';
import { putMedia, splitClusters, startMediaHarness, streamingPutMedia, REGION, type MediaHarness } from './helpers';

const CLIP = readFileSync('test/fixtures/media/h264-aac.mkv');
const ALL_TIME = { StartTimestamp: new Date(0), EndTimestamp: new Date(4_000_000_000_000) };

async function fragmentNumbers(h: MediaHarness, stream: string): Promise<string[]> {
  const client = await h.archived(stream);
  const answer = await client.send(new ListFragmentsCommand({ StreamName: stream, MaxResults: 1000, FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: ALL_TIME } }));
  return (answer.Fragments ?? []).map((fragment) => fragment.FragmentNumber ?? '');
}

/** A longer clip (1 s keyframe interval, small picture) for ingest that takes a while. */
function longClip(dir: string, seconds: number): Uint8Array {
  const path = join(dir, `clip-${seconds}.mkv`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-t', String(seconds), '-c:v', 'libx264', '-bf', '0', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-f', 'matroska', path]);
  return readFileSync(path);
}

test('a restart rebuilds the index: the same fragments, and ingest continues', async () => {
  const first = await startMediaHarness();
  await first.createStream('cam');
  await putMedia(first.service.url, 'cam', [CLIP]);
  const before = await fragmentNumbers(first, 'cam');
  await first.close(true);

  const second = await startMediaHarness({}, first.dataDir);
  try {
    assert.deepEqual(await fragmentNumbers(second, 'cam'), before);
    const { header, clusters } = splitClusters(longClip(second.dataDir, 2));
    // A producer reconnecting later: producer time moves on, numbers continue after the old ones.
    await putMedia(second.service.url, 'cam', [header, ...clusters], { 'x-amzn-producer-start-timestamp': '1800000000' });
    const after = await fragmentNumbers(second, 'cam');
    assert.deepEqual(after.slice(0, before.length), before);
    assert.equal(after.length, before.length + clusters.length);
    assert.ok(after.every((number, i) => i === 0 || number > (after[i - 1] ?? '')));
  } finally {
    await second.close();
  }
});

test('fragments older than the retention are gone from every read', async () => {
  let now = Date.now();
  const h = await startMediaHarness({ now: () => now });
  try {
    await h.createStream('short', 1);
    await putMedia(h.service.url, 'short', [CLIP]);
    const numbers = await fragmentNumbers(h, 'short');
    assert.equal(numbers.length, 2);
    now += 2 * 3600 * 1000;
    assert.deepEqual(await fragmentNumbers(h, 'short'), []);
    const client = await h.archived('short', 'GET_MEDIA_FOR_FRAGMENT_LIST');
    const answer = await client.send(new GetMediaForFragmentListCommand({ StreamName: 'short', Fragments: numbers }));
    const file = readMatroska(bytesSource((await answer.Payload?.transformToByteArray()) ?? new Uint8Array()));
    assert.deepEqual(file.fragments.map((fragment) => fragment.kvs?.errorCode), ['FRAGMENT_NOT_FOUND', 'FRAGMENT_NOT_FOUND']);
  } finally {
    await h.close();
  }
});

test('kill -9 of the server during ingest loses no PERSISTED fragment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-crash-'));
  const start = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/kvs-local.ts', '--port', '0', '--data', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /KVS Local listening on (\S+)/.exec(chunk.toString());
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`kvs-local exited ${code}`)));
    });
    return { child, url };
  };
  const clients = (url: string) => ({ region: REGION, credentials: { ...DEFAULT_LOCAL_CREDENTIALS }, endpoint: url });
  try {
    const { child, url } = await start();
    await new KinesisVideoClient(clients(url)).send(new CreateStreamCommand({ StreamName: 'crash', DataRetentionInHours: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const { header, clusters } = splitClusters(longClip(dir, 30));
    const put = await streamingPutMedia(url, 'crash');
    put.write(header);
    for (const [i, cluster] of clusters.entries()) {
      put.write(cluster);
      if (i === 8) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await put.persisted(5);
    child.kill('SIGKILL');
    await put.done;
    const acknowledged = put.acks.filter((ack) => ack.EventType === 'PERSISTED').map((ack) => ack.FragmentNumber);
    assert.ok(acknowledged.length >= 5);

    const restarted = await start();
    try {
      const archived = new KinesisVideoArchivedMediaClient(clients(restarted.url));
      const listed = await archived.send(new ListFragmentsCommand({ StreamName: 'crash', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: ALL_TIME } }));
      const stored = new Set((listed.Fragments ?? []).map((fragment) => fragment.FragmentNumber));
      for (const number of acknowledged) assert.ok(stored.has(number), `PERSISTED fragment ${number} is missing after the crash`);
    } finally {
      restarted.child.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second PutMedia on the same stream replaces the first (newest wins)', async () => {
  const h = await startMediaHarness();
  try {
    await h.createStream('cam');
    const { header, clusters } = splitClusters(longClip(h.dataDir, 4));
    const older = await streamingPutMedia(h.service.url, 'cam');
    older.write(header);
    older.write(clusters[0] ?? new Uint8Array());
    await older.persisted(1);
    const newer = await streamingPutMedia(h.service.url, 'cam', { 'x-amzn-producer-start-timestamp': '1700000100' });
    newer.write(header);
    await older.done;
    newer.write(clusters[0] ?? new Uint8Array());
    newer.end();
    await newer.done;
    assert.equal(newer.acks.filter((ack) => ack.EventType === 'PERSISTED').length, 1);
  } finally {
    await h.close();
  }
});

test('GetMedia NOW follows the live edge while the producer sends, and ends after it stops', async () => {
  const h = await startMediaHarness();
  try {
    await h.createStream('live');
    const { header, clusters } = splitClusters(longClip(h.dataDir, 4));
    const put = await streamingPutMedia(h.service.url, 'live');
    put.write(header);
    put.write(clusters[0] ?? new Uint8Array());
    await put.persisted(1);
    const reader = await (await h.media('live')).send(new GetMediaCommand({ StreamName: 'live', StartSelector: { StartSelectorType: 'NOW' } }));
    const body = reader.Payload?.transformToByteArray();
    for (const cluster of clusters.slice(1)) {
      put.write(cluster);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    put.end();
    await put.done;
    const file = readMatroska(bytesSource((await body) ?? new Uint8Array()));
    // NOW starts after the newest fragment at the time of the request: the ones sent afterwards arrive.
    assert.equal(file.fragments.length, clusters.length - 1);
    assert.ok(file.fragments.every((fragment) => fragment.kvs?.fragmentNumber !== undefined));
  } finally {
    await h.close();
  }
});
