// The KVS checks on MKV as producers send it (PutMedia) and as GetMedia returns it, written with the
// project's Matroska writer from the frames of a recording ffmpeg makes here: 4 s of H.264 (a keyframe
// every second) and AAC.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { JsonReport } from '../../../src/formats/inspect/jsonReport';
import { framesOfMkv, planClusters, producerStream, type Frame } from '../formats/writer/mkvFixtures';
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
