import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GetMediaForFragmentListCommand, ListFragmentsCommand, type Fragment } from '@aws-sdk/client-kinesis-video-archived-media';
import { GetMediaCommand } from '@aws-sdk/client-kinesis-video-media';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { chunks, putMedia, startMediaHarness, type MediaHarness } from './helpers';

const CLIP = readFileSync('test/fixtures/media/h264-aac.mkv');
const CLIP_CLUSTERS = readMatroska(bytesSource(CLIP), { blocks: false }).clusters;
const PRODUCER_START_MS = 1_700_000_000_005; // header "1700000000.5": 5 ms, unpadded
let h: MediaHarness;

before(async () => {
  h = await startMediaHarness();
  await h.createStream('cam');
});
after(() => h.close());

async function listAll(stream: string, kind: 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP' = 'PRODUCER_TIMESTAMP'): Promise<Fragment[]> {
  const client = await h.archived(stream);
  const answer = await client.send(
    new ListFragmentsCommand({ StreamName: stream, FragmentSelector: { FragmentSelectorType: kind, TimestampRange: { StartTimestamp: new Date(0), EndTimestamp: new Date(4_000_000_000_000) } } }),
  );
  return answer.Fragments ?? [];
}

test('PutMedia (RELATIVE) acknowledges every cluster BUFFERING, RECEIVED, PERSISTED with one fragment number', async () => {
  const { status, acks } = await putMedia(h.service.url, 'cam', chunks(CLIP, 1000));
  assert.equal(status, 200);
  assert.deepEqual(
    acks.map((ack) => ack.EventType),
    CLIP_CLUSTERS.flatMap(() => ['BUFFERING', 'RECEIVED', 'PERSISTED']),
  );
  const persisted = acks.filter((ack) => ack.EventType === 'PERSISTED');
  assert.deepEqual(persisted.map((ack) => ack.FragmentTimecode), CLIP_CLUSTERS.map((cluster) => cluster.timecode));
  for (const ack of persisted) assert.match(ack.FragmentNumber ?? '', /^\d{47}$/);
});

test('ListFragments returns the persisted fragments with producer time = start + cluster timecode', async () => {
  const fragments = await listAll('cam');
  assert.equal(fragments.length, CLIP_CLUSTERS.length);
  assert.deepEqual(
    fragments.map((fragment) => fragment.ProducerTimestamp?.getTime()),
    CLIP_CLUSTERS.map((cluster) => PRODUCER_START_MS + (cluster.timeMs ?? 0)),
  );
  for (const fragment of fragments) {
    assert.ok((fragment.FragmentLengthInMilliseconds ?? 0) >= 900 && (fragment.FragmentLengthInMilliseconds ?? 0) <= 1100);
    assert.ok(Math.abs((fragment.ServerTimestamp?.getTime() ?? 0) - Date.now()) < 60_000);
    assert.ok((fragment.FragmentSizeInBytes ?? 0) > 1000);
  }
  assert.equal((await listAll('cam', 'SERVER_TIMESTAMP')).length, CLIP_CLUSTERS.length);
});

test('ListFragments pages with NextToken cover every fragment once', async () => {
  const client = await h.archived('cam');
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListFragmentsCommand(
        token
          ? { StreamName: 'cam', NextToken: token, MaxResults: 1 }
          : { StreamName: 'cam', MaxResults: 1, FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(0), EndTimestamp: new Date(Date.now() + 1000) } } },
      ),
    );
    seen.push(...(page.Fragments ?? []).map((fragment) => fragment.FragmentNumber ?? ''));
    token = page.NextToken;
  } while (token);
  assert.deepEqual(seen, (await listAll('cam', 'SERVER_TIMESTAMP')).map((fragment) => fragment.FragmentNumber));
});

test('GetMediaForFragmentList returns MKV with KVS tags, and FRAGMENT_NOT_FOUND tags for an unknown number', async () => {
  const numbers = (await listAll('cam')).map((fragment) => fragment.FragmentNumber ?? '');
  const unknown = '9'.repeat(47);
  const client = await h.archived('cam', 'GET_MEDIA_FOR_FRAGMENT_LIST');
  const answer = await client.send(new GetMediaForFragmentListCommand({ StreamName: 'cam', Fragments: [...numbers, unknown] }));
  assert.equal(answer.ContentType, 'video/webm');
  const bytes = await answer.Payload?.transformToByteArray();
  assert.ok(bytes);
  const file = readMatroska(bytesSource(bytes));
  assert.deepEqual(file.fragments.map((fragment) => fragment.kvs?.fragmentNumber), [...numbers, unknown]);
  assert.equal(file.fragments.at(-1)?.kvs?.errorCode, 'FRAGMENT_NOT_FOUND');
  assert.equal(file.fragments.at(-1)?.kvs?.errorId, '3000');
  assert.equal(file.fragments[0]?.kvs?.producerTimestampMs, PRODUCER_START_MS);
  assert.equal(file.blocks.count, readMatroska(bytesSource(CLIP)).blocks.count);
  // mkvinfo (mkvtoolnix) reads the first document of the stream.
  const path = join(h.dataDir, 'fragment-list.mkv');
  writeFileSync(path, bytes);
  assert.match(execFileSync('mkvinfo', [path], { encoding: 'utf8' }), /AWS_KINESISVIDEO_FRAGMENT_NUMBER/);
});

test('GetMedia EARLIEST returns every fragment with millis-behind-now and continuation tokens, then ends', async () => {
  const client = await h.media('cam');
  const answer = await client.send(new GetMediaCommand({ StreamName: 'cam', StartSelector: { StartSelectorType: 'EARLIEST' } }));
  assert.equal(answer.ContentType, 'video/webm');
  const bytes = await answer.Payload?.transformToByteArray();
  assert.ok(bytes);
  const file = readMatroska(bytesSource(bytes));
  const numbers = (await listAll('cam')).map((fragment) => fragment.FragmentNumber);
  assert.deepEqual(file.fragments.map((fragment) => fragment.kvs?.fragmentNumber), numbers);
  assert.deepEqual(file.fragments.map((fragment) => fragment.kvs?.continuationToken), numbers);
  assert.ok(file.fragments.every((fragment) => (fragment.kvs?.millisBehindNow ?? -1) >= 0));
  assert.deepEqual(file.issues.filter((found) => found.severity === 'error'), []);
  const path = join(h.dataDir, 'get-media.mkv');
  writeFileSync(path, bytes);
  // mkvinfo reads the whole stream; it warns once per later document (an EBML header inside the
  // first unknown-size Segment) exactly where our parser says each document starts.
  const mkvinfo = spawnSync('mkvinfo', ['-a', path], { encoding: 'utf8' });
  assert.ok(mkvinfo.status === 0 || mkvinfo.status === 1, `mkvinfo exited ${mkvinfo.status}: ${mkvinfo.stdout.slice(-300)}`);
  assert.equal((mkvinfo.stdout.match(/AWS_KINESISVIDEO_MILLIS_BEHIND_NOW/g) ?? []).length, numbers.length);
  assert.equal((mkvinfo.stdout.match(/^\|\+ Cluster$/gm) ?? []).length, numbers.length);
  const warnedAt = [...mkvinfo.stdout.matchAll(/Error in the Matroska file structure at position (\d+)/g)].map((match) => Number(match[1]));
  assert.deepEqual(warnedAt, file.documents.slice(1).map((document) => document.offset));

  const fromSecond = await client.send(new GetMediaCommand({ StreamName: 'cam', StartSelector: { StartSelectorType: 'CONTINUATION_TOKEN', ContinuationToken: numbers[0] } }));
  const rest = readMatroska(bytesSource((await fromSecond.Payload?.transformToByteArray()) ?? new Uint8Array()));
  assert.deepEqual(rest.fragments.map((fragment) => fragment.kvs?.fragmentNumber), numbers.slice(1));
});

test('ABSOLUTE timecodes are producer timestamps; a timecode lower than the previous is refused with 4004', async () => {
  await h.createStream('absolute');
  const first = await putMedia(h.service.url, 'absolute', [CLIP], { 'x-amzn-fragment-timecode-type': 'ABSOLUTE' });
  assert.equal(first.acks.filter((ack) => ack.EventType === 'PERSISTED').length, CLIP_CLUSTERS.length);
  assert.deepEqual((await listAll('absolute')).map((fragment) => fragment.ProducerTimestamp?.getTime()), CLIP_CLUSTERS.map((cluster) => cluster.timeMs));
  // The same clip again in one connection: its second copy goes back in time.
  const twice = await putMedia(h.service.url, 'absolute', [CLIP, CLIP], { 'x-amzn-fragment-timecode-type': 'ABSOLUTE' });
  const errors = twice.acks.filter((ack) => ack.EventType === 'ERROR');
  assert.ok(errors.length > 0);
  assert.deepEqual([errors[0]?.ErrorId, errors[0]?.ErrorCode], [4004, 'FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS']);
});

test('bad requests: unknown stream, bad timecode type, invalid MKV', async () => {
  assert.equal((await putMedia(h.service.url, 'nope', [CLIP])).status, 404);
  const badType = await putMedia(h.service.url, 'cam', [CLIP], { 'x-amzn-fragment-timecode-type': 'SOMETIMES' });
  assert.equal(badType.status, 400);
  assert.match(badType.text, /x-amzn-fragment-timecode-type must be ABSOLUTE or RELATIVE/);
  const garbage = await putMedia(h.service.url, 'cam', [new TextEncoder().encode('not a matroska stream at all')]);
  assert.deepEqual(garbage.acks.map((ack) => [ack.EventType, ack.ErrorId, ack.ErrorCode]), [['ERROR', 4006, 'INVALID_MKV_DATA']]);
});

test('a fragment longer than 10 s is refused with MAX_FRAGMENT_DURATION_REACHED', async () => {
  const path = join(h.dataDir, 'long-gop.mkv');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=5', '-t', '12', '-c:v', 'libx264', '-g', '100', '-keyint_min', '100', '-sc_threshold', '0', '-f', 'matroska', '-cluster_time_limit', '20000', '-cluster_size_limit', '10000000', path]);
  await h.createStream('long');
  const { acks } = await putMedia(h.service.url, 'long', [readFileSync(path)]);
  assert.ok(acks.some((ack) => ack.EventType === 'ERROR' && ack.ErrorId === 4002 && ack.ErrorCode === 'MAX_FRAGMENT_DURATION_REACHED'), JSON.stringify(acks));
});

test('the documented per-stream limit applies to ListFragments (5 TPS)', async () => {
  const limited = await startMediaHarness({ throttle: { limits: { GetDataEndpoint: null } } });
  try {
    await limited.createStream('busy');
    const client = await limited.archived('busy');
    const call = () =>
      client.send(new ListFragmentsCommand({ StreamName: 'busy', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(0), EndTimestamp: new Date() } } }));
    const results = await Promise.allSettled(Array.from({ length: 7 }, call));
    const refused = results.filter((result) => result.status === 'rejected');
    assert.ok(refused.length >= 1);
    for (const result of refused) assert.equal((result.reason as Error).name, 'ClientLimitExceededException');
  } finally {
    await limited.close();
  }
});

test('GetMedia FRAGMENT_NUMBER, SERVER_TIMESTAMP and PRODUCER_TIMESTAMP start where asked', async () => {
  const fragments = await listAll('cam');
  const second = fragments[1];
  assert.ok(second?.FragmentNumber && second.ProducerTimestamp && second.ServerTimestamp);
  const client = await h.media('cam');
  const numbersFrom = async (StartSelector: ConstructorParameters<typeof GetMediaCommand>[0]['StartSelector']) => {
    const answer = await client.send(new GetMediaCommand({ StreamName: 'cam', StartSelector }));
    return readMatroska(bytesSource((await answer.Payload?.transformToByteArray()) ?? new Uint8Array())).fragments.map((fragment) => fragment.kvs?.fragmentNumber);
  };
  const fromSecond = fragments.slice(1).map((fragment) => fragment.FragmentNumber);
  assert.deepEqual(await numbersFrom({ StartSelectorType: 'FRAGMENT_NUMBER', AfterFragmentNumber: second.FragmentNumber }), fromSecond);
  // A timestamp inside the second fragment starts with it.
  assert.deepEqual(await numbersFrom({ StartSelectorType: 'PRODUCER_TIMESTAMP', StartTimestamp: new Date(second.ProducerTimestamp.getTime() + 100) }), fromSecond);
  // This test uploads faster than real time, so server timestamps are a few ms apart: check the ends.
  const all = fragments.map((fragment) => fragment.FragmentNumber);
  assert.deepEqual(await numbersFrom({ StartSelectorType: 'SERVER_TIMESTAMP', StartTimestamp: new Date(second.ServerTimestamp.getTime() - 60_000) }), all);
  assert.deepEqual(await numbersFrom({ StartSelectorType: 'SERVER_TIMESTAMP', StartTimestamp: new Date(second.ServerTimestamp.getTime() + 60_000) }), []);
  await assert.rejects(client.send(new GetMediaCommand({ StreamName: 'cam', StartSelector: { StartSelectorType: 'FRAGMENT_NUMBER' } })), { name: 'InvalidArgumentException' });
});
