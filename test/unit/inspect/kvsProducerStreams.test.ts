// The KVS checks on MKV as producers send it (PutMedia) and as GetMedia returns it, written with the
// project's Matroska writer from the frames of a recording ffmpeg makes here: 4 s of H.264 (a keyframe
// every second) and AAC.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GetMediaCommand } from '@aws-sdk/client-kinesis-video-media';
import type { JsonReport } from '../../../src/formats/inspect/jsonReport';
import { framesOfMkv, planClusters, producerStream, type Frame } from '../formats/writer/mkvFixtures';
import { chunks, producerStartHeader, putMedia, startMediaHarness } from '../local/media/helpers';
import { inspectJson, kvsInspect } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'kvs-producer-streams-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const recording = join(dir, 'recording.mkv');
execFileSync('ffmpeg', [
  '-v', 'error',
  '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25',
  '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
  '-t', '4', '-c:v', 'libx264', '-bf', '0', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-c:a', 'aac', recording,
]);
const { tracks, frames } = framesOfMkv(new Uint8Array(readFileSync(recording)), recording);
/** Producer timestamps of a device with its clock set: ABSOLUTE cluster timecodes. */
const START_MS = 1_700_000_000_000;
// A producer starts at a video keyframe (ffmpeg put an AAC frame before it).
const firstKey = frames.findIndex((frame) => frame.track === 1 && frame.key);
const absolute: Frame[] = frames.slice(firstKey).map((frame) => ({ ...frame, timeMs: frame.timeMs + START_MS }));

function written(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

test('AWS_KINESISVIDEO_END_OF_FRAGMENT after each cluster (the producer SDK closing a fragment) belongs to the fragment it closes, and fills no KVS column', () => {
  const clusters = planClusters(absolute, 1);
  assert.equal(clusters.length, 4);
  const file = written('end-of-fragment.mkv', producerStream(tracks, clusters, { endOfFragmentTags: true }));
  const report = inspectJson(file);
  assert.deepEqual(report.fragments.map((fragment) => [fragment.frameCount > 0, fragment.kvs]), clusters.map(() => [true, { endOfFragment: true }]));
  assert.deepEqual(report.issues, []);
  const text = kvsInspect([file]).stdout;
  assert.match(text, /^ {2}# +offset +size +start ms +duration ms +frames +key$/m, 'no fragment number / producer time columns');
});


test('a P frame marked as a keyframe, without a recovery point SEI, opening a cluster: an error that no decoder can start there (not an intra-refresh point)', () => {
  const pictureTypes = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=pict_type', '-of', 'csv=p=0', recording], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(pictureTypes[10], 'P');
  const falseKey = absolute.filter((frame) => frame.track === 1)[10];
  const marked = absolute.map((frame) => (frame === falseKey ? { ...frame, key: true } : frame));
  const file = written('false-keyframe.mkv', producerStream(tracks, planClusters(marked, 1)));
  const result = kvsInspect(['--json', '--frames', '--checks', file]);
  assert.equal(result.status, 2, 'an error');
  const report = JSON.parse(result.stdout) as JsonReport;
  const opening = report.frames?.find((frame) => frame.fragment === 1 && frame.track === 1);
  assert.equal(opening?.keyframe, true);
  assert.deepEqual(report.issues.map((found) => [found.severity, found.code, found.offset]), [['error', 'FRAGMENT_START_FALSE_KEYFRAME', opening.offset]]);
  assert.match(report.issues[0]?.message ?? '', /^Fragment 1 \(byte \d+\) starts with a frame marked as a keyframe that is none: not an IDR picture, no I slice \(slices: P\) and no recovery point SEI/);
});

test('a fragment without a frame of a declared track: one error per track with the count of such fragments, where KVS Local answers 4011; the gap across it is not reported again', async () => {
  const clusters = planClusters(absolute, 1);
  assert.equal(clusters.length, 4);
  // The third cluster loses its AAC frames (a microphone that stalled): video + AAC still declared.
  const withoutAudio = clusters.map((cluster, i) => (i === 2 ? { ...cluster, blocks: cluster.blocks.filter((block) => block.track === 1) } : cluster));
  const stream = producerStream(tracks, withoutAudio);
  const file = written('missing-audio.mkv', stream);
  const result = kvsInspect(['--json', '--checks', file]);
  assert.equal(result.status, 2, 'an error');
  const report = JSON.parse(result.stdout) as JsonReport;
  assert.deepEqual(report.issues.map((found) => [found.severity, found.code, found.offset]), [['error', 'FRAMES_MISSING_FOR_TRACK', report.fragments[2]?.offset]]);
  assert.match(report.issues[0]?.message ?? '', /^Track 2 \(audio\) has no frame in Fragment 2 \(byte \d+\): /);
  assert.match(report.issues[0]?.hint ?? '', /4011 FRAMES_MISSING_FOR_TRACK/);

  // Video only, AAC declared: every fragment, said once.
  const videoOnly = written('video-only.mkv', producerStream(tracks, clusters.map((cluster) => ({ ...cluster, blocks: cluster.blocks.filter((block) => block.track === 1) }))));
  const never = inspectJson(videoOnly);
  assert.deepEqual(never.issues.map((found) => [found.code, found.offset]), [['FRAMES_MISSING_FOR_TRACK', never.fragments[0]?.offset]]);
  assert.match(never.issues[0]?.message ?? '', /^Track 2 \(audio\) has no frame in 4 fragments, the first Fragment 0 \(byte \d+\): /);

  // KVS Local's PutMedia rejects the same fragment, and only it.
  const harness = await startMediaHarness();
  try {
    await harness.createStream('missing-audio');
    const { acks } = await putMedia(harness.service.url, 'missing-audio', chunks(stream, 4096), { 'x-amzn-fragment-timecode-type': 'ABSOLUTE' });
    const rejected = acks.filter((ack) => ack.EventType === 'ERROR').map((ack) => [ack.FragmentTimecode, ack.ErrorId]);
    assert.deepEqual(rejected, [[clusters[2]?.timecode, 4011]]);
    assert.equal(acks.filter((ack) => ack.EventType === 'PERSISTED').length, 3);
  } finally {
    await harness.close();
  }
});

test('GetMedia output of two PutMedia sessions with RELATIVE timecodes (KVS Local): fragments are ordered by their producer timestamps, whose overlap and step back are still reported', async () => {
  // Each session sends the recording with cluster timecodes from its own start: 21, 1021, 2021, 3021.
  const relative = planClusters(frames.slice(firstKey), 1);
  assert.deepEqual(relative.map((cluster) => cluster.timecode), [21, 1021, 2021, 3021]);
  const session = producerStream(tracks, relative);
  const harness = await startMediaHarness();
  /** GetMedia (EARLIEST) of a stream the recording is sent to twice, the second session starting `laterMs` after the first. */
  const twoSessions = async (name: string, laterMs: number): Promise<JsonReport> => {
    await harness.createStream(name);
    for (const startMs of [START_MS, START_MS + laterMs]) {
      const { acks } = await putMedia(harness.service.url, name, chunks(session, 4096), { 'x-amzn-producer-start-timestamp': producerStartHeader(startMs) });
      assert.equal(acks.filter((ack) => ack.EventType === 'PERSISTED').length, 4);
    }
    const answer = await (await harness.media(name)).send(new GetMediaCommand({ StreamName: name, StartSelector: { StartSelectorType: 'EARLIEST' } }));
    return inspectJson(written(`${name}.mkv`, (await answer.Payload?.transformToByteArray()) ?? new Uint8Array()));
  };
  try {
    // The second session goes on where the first ends: cluster timecodes restart, producer time does not.
    const seamless = await twoSessions('seamless', 4000);
    assert.deepEqual(seamless.fragments.map((fragment) => fragment.startMs), [21, 1021, 2021, 3021, 21, 1021, 2021, 3021]);
    assert.deepEqual(seamless.fragments.map((fragment) => (fragment.kvs?.producerTimestampMs ?? 0) - START_MS), [21, 1021, 2021, 3021, 4021, 5021, 6021, 7021]);
    assert.deepEqual(seamless.issues, []);
    // Started 784 ms too early: its first fragment overlaps the last of the first session, by producer time.
    const early = await twoSessions('early', 4000 - 784);
    assert.deepEqual(early.issues.map((found) => [found.code, found.offset]), [['FRAGMENT_OVERLAP', early.fragments[4]?.offset]]);
    assert.match(early.issues[0]?.message ?? '', /^Fragment 4 \(byte \d+\): track \d \((video|audio)\) starts 7[89]\d ms before its frames in the previous fragment end \(by producer timestamps\)\.$/);
    // Started before the first: producer time goes back.
    const back = await twoSessions('back', -10_000);
    assert.deepEqual(back.issues.map((found) => [found.code, found.offset]), [['TIMECODE_BACKWARDS', back.fragments[4]?.offset]]);
    assert.match(back.issues[0]?.message ?? '', /^Fragment 4 \(byte \d+\) has producer timestamp 2023-11-14T22:13:10\.021Z, before the previous fragment's \(2023-11-14T22:13:23\.021Z\)\.$/);
  } finally {
    await harness.close();
  }
});
