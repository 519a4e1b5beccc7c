// From Matroska clusters to packaging samples: decode times for reordered video, durations, audio
// frames snapped onto their sample grid, bare cluster bytes as KVS Local stores them, lacing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterElement } from '../../../../src/formats/matroska/write';
import type { BlockSpec } from '../../../../src/formats/matroska/write';
import { fragmentSamples, packagingTrack } from '../../../../src/formats/package';
import type { PackagingTrack } from '../../../../src/formats/package';
import { load, samplesOf } from './helpers';

const h264 = load('test/fixtures/media/h264-aac.mkv');
const [VIDEO, AAC] = h264.tracks as [PackagingTrack, PackagingTrack];

function videoBlocks(pts: readonly number[], base = 0): BlockSpec[] {
  // Any bytes will do for timing: one 1-byte NAL unit with a 4-byte length.
  return pts.map((t, i) => ({ track: 1, relativeTimecode: t - base, keyframe: i === 0, data: new Uint8Array([0, 0, 0, 1, i === 0 ? 0x65 : 0x41]) }));
}

test('video DTS: sorted PTS handed out in decode order, shifted back just enough that DTS ≤ PTS', () => {
  const cluster = clusterElement(1000, videoBlocks([1000, 1120, 1040, 1080, 1240, 1160, 1200], 1000));
  const { samples, issues } = fragmentSamples(cluster, [VIDEO]);
  assert.deepEqual(issues, []);
  const list = samples.get(1) ?? [];
  assert.deepEqual(list.map((s) => s.ptsMs), [1000, 1120, 1040, 1080, 1240, 1160, 1200]);
  assert.deepEqual(list.map((s) => s.dtsMs ?? s.ptsMs), [960, 1000, 1040, 1080, 1120, 1160, 1200]);
  for (const s of list) assert.ok((s.dtsMs ?? s.ptsMs) <= s.ptsMs);
  // Durations from the next DTS; the last from DefaultDuration (40 ms).
  assert.deepEqual(list.map((s) => s.durationMs), [40, 40, 40, 40, 40, 40, 40]);
  assert.deepEqual(list.map((s) => s.keyframe), [true, false, false, false, false, false, false]);
  // Frames in PTS order need no shift: DTS = PTS (no dtsMs).
  const plain = fragmentSamples(clusterElement(0, videoBlocks([0, 33, 67, 100])), [VIDEO]).samples.get(1) ?? [];
  assert.deepEqual(plain.map((s) => s.dtsMs), [undefined, undefined, undefined, undefined]);
  assert.deepEqual(plain.map((s) => s.durationMs), [33, 34, 33, 40]);
});

test('video: without DefaultDuration or frame rate the last frame lasts as long as the one before', () => {
  const track: PackagingTrack = { ...VIDEO };
  delete track.frameDurationMs;
  const list = fragmentSamples(clusterElement(0, videoBlocks([0, 50, 100])), [track]).samples.get(1) ?? [];
  assert.deepEqual(list.map((s) => s.durationMs), [50, 50, 50]);
  const single = fragmentSamples(clusterElement(0, videoBlocks([0])), [track]);
  assert.deepEqual(single.samples.get(1)?.map((s) => s.durationMs), [0]);
});

test('audio: AAC frames with truncated millisecond times are snapped onto the 1024-sample grid', () => {
  const exact = Array.from({ length: 40 }, (_, i) => 5000 + (i * 1024 * 1000) / 48000);
  const blocks: BlockSpec[] = exact.map((t) => ({ track: 2, relativeTimecode: Math.floor(t) - 5000, keyframe: true, data: new Uint8Array(10) }));
  const list = fragmentSamples(clusterElement(5000, blocks), [AAC]).samples.get(2) ?? [];
  assert.equal(list.length, 40);
  list.forEach((s, i) => {
    assert.ok(Math.abs(s.ptsMs - (exact[i] ?? 0)) < 1e-6, `frame ${i}: ${s.ptsMs} vs ${exact[i]}`);
    assert.ok(Math.abs(s.durationMs - 1024 / 48) < 1e-6);
    assert.ok(s.ptsMs - Math.floor(exact[i] ?? 0) < 1, 'less than 1 ms after the stored time');
  });
  // A 100 ms gap starts a new run: times follow the stored ones again, the frame before the gap spans it.
  const gapped: BlockSpec[] = blocks.map((b, i) => (i >= 20 ? { ...b, relativeTimecode: b.relativeTimecode + 100 } : b));
  const g = fragmentSamples(clusterElement(5000, gapped), [AAC]).samples.get(2) ?? [];
  assert.ok(Math.abs((g[20]?.ptsMs ?? 0) - ((exact[20] ?? 0) + 100)) < 1);
  assert.ok(Math.abs((g[19]?.durationMs ?? 0) - (1024 / 48 + 100)) < 1);
  assert.ok(Math.abs((g[21]?.durationMs ?? 0) - 1024 / 48) < 1e-6);
});

test('audio: G.711 frame durations come from the byte count', () => {
  const { track } = packagingTrack(2, 'alaw', new Uint8Array(0), { sampleRate: 8000, channels: 1 });
  assert.equal(track.timescale, 8000);
  const blocks: BlockSpec[] = [160, 160, 320, 160].map((n, i) => ({ track: 2, relativeTimecode: [0, 20, 40, 80][i] ?? 0, keyframe: true, data: new Uint8Array(n) }));
  const list = fragmentSamples(clusterElement(0, blocks), [track]).samples.get(2) ?? [];
  assert.deepEqual(list.map((s) => s.ptsMs), [0, 20, 40, 80]);
  assert.deepEqual(list.map((s) => s.durationMs), [20, 20, 40, 20]);
});

test('bare cluster bytes: unknown size, TimestampScale and time offset options, other tracks skipped', () => {
  const blocks = [...videoBlocks([0, 40]), { track: 3, relativeTimecode: 0, keyframe: true, data: new Uint8Array(3) }];
  const cluster = clusterElement(100, blocks, { unknownSize: true, timecodeLength: 8, blockSizeWidth: 8 });
  const { samples, issues } = fragmentSamples(cluster, [VIDEO, AAC], { timestampScale: 100_000, timeOffsetMs: 1_700_000_000_000 });
  assert.deepEqual(issues, []);
  // 100 ticks of 0.1 ms = 10 ms; block 2 at +40 ticks = 4 ms later.
  assert.deepEqual(samples.get(1)?.map((s) => s.ptsMs), [1_700_000_000_010, 1_700_000_000_014]);
  assert.deepEqual(samples.get(2), []);
  assert.equal(samples.size, 2);
});

test('the fixture clusters: every MKV frame becomes one sample, data are views of the MKV bytes', () => {
  for (const path of ['test/fixtures/media/h264-aac.mkv', 'test/fixtures/media/h265-main.mkv', 'media/demo.mkv']) {
    const f = load(path);
    let blocks = 0;
    for (const track of f.tracks) {
      for (let i = 0; i < f.mkv.blocks.count; i++) if (f.mkv.blocks.track[i] === track.trackNumber) blocks++;
    }
    const total = f.fragments.reduce((n, fr) => n + f.tracks.reduce((m, t) => m + samplesOf(fr, t).length, 0), 0);
    assert.equal(total, blocks, f.name);
    for (const fr of f.fragments) {
      assert.deepEqual(fr.issues, []);
      for (const t of f.tracks) for (const s of samplesOf(fr, t)) assert.equal(s.data.buffer, f.bytes.buffer);
    }
  }
});

test('laced blocks: each frame is a sample, later frames timed by the frame length', () => {
  // SimpleBlock, track 2, relative timecode 0, key + fixed-size lacing, 3 frames of 4 bytes.
  const block = [0xa3, 0x80 | 17, 0x82, 0x00, 0x00, 0x80 | 0x04, 2, ...new Array<number>(12).fill(0x11)];
  const body = [0xe7, 0x81, 0x00, ...block];
  const cluster = new Uint8Array([0x1f, 0x43, 0xb6, 0x75, 0x80 | body.length, ...body]);
  const { samples, issues } = fragmentSamples(cluster, [AAC]);
  assert.deepEqual(issues, []);
  const list = samples.get(2) ?? [];
  assert.equal(list.length, 3);
  assert.deepEqual(list.map((s) => s.data.length), [4, 4, 4]);
  list.forEach((s, i) => assert.ok(Math.abs(s.ptsMs - (i * 1024) / 48) < 1e-6));
});
