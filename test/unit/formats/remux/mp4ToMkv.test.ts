// MP4 → MKV remux against ffprobe (the same packets with the same pts and key flags as in the MP4),
// mkvinfo (accepts the file) and our readers (every cluster starts with a video key frame; the
// producer-style output splits into the same fragments).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { PutMediaSplitter } from '../../../../src/formats/matroska/ingest';
import type { FragmentEvent, IngestEvent } from '../../../../src/formats/matroska/ingest';
import { readIsoBmff } from '../../../../src/formats/isobmff';
import { BlockFlag } from '../../../../src/formats/matroska/blockTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { concatBytes } from '../../../../src/formats/matroska/write';
import { mp4ToMkv, remuxMp4ToMkv } from '../../../../src/formats/remux';
import { traceFile } from '../codecs/helpers/ffmpeg';
import { fileSource, inBandOnlyMp4 } from '../isobmff/helpers';
import { hasMkvinfo, mkvinfo } from '../matroska/mkvinfoDump';
import { ffprobe, fixture, hasFfprobe, MEDIA, withTempDir, writeTemp } from '../writer/mkvFixtures';
import type { ProbePacket } from '../writer/mkvFixtures';

const FILES = ['h264-aac.mp4', 'h264-aac-frag.mp4', 'h265-main-frag.mp4'];

function packets(probe: ReturnType<typeof ffprobe>, type: string): ProbePacket[] {
  const stream = probe.streams.find((s) => s.codec_type === type);
  return stream ? probe.packets.filter((p) => p.stream_index === stream.index) : [];
}

test('ffprobe sees the MP4 packets in the MKV: same counts, pts within 1 ms, same key flags', { skip: !hasFfprobe }, () => {
  withTempDir((dir) => {
    for (const name of FILES) {
      const { bytes, issues, tracks } = mp4ToMkv(bytesSource(fixture(name)));
      assert.deepEqual(issues, [], name);
      const path = writeTemp(dir, `${name}.mkv`, bytes);
      const mp4 = ffprobe(join(MEDIA, name));
      const mkv = ffprobe(path);
      assert.equal(mkv.streams.length, mp4.streams.length, name);
      assert.deepEqual(mkv.streams.map((s) => s.codec_name), mp4.streams.map((s) => s.codec_name));
      assert.deepEqual(tracks.map((t) => t.kind), mp4.streams.map((s) => s.codec_type));
      for (const type of ['video', 'audio']) {
        const expected = packets(mp4, type);
        const actual = packets(mkv, type);
        assert.equal(actual.length, expected.length, `${name} ${type} packets`);
        // Both in decode order; compare pts as times.
        for (let i = 0; i < expected.length; i++) {
          const e = expected[i];
          const a = actual[i];
          assert.ok(e && a);
          const where = `${name} ${type} packet ${i}`;
          assert.ok(Math.abs(Number(a.pts_time) - Number(e.pts_time)) <= 0.001 + 1e-9, `${where}: pts ${a.pts_time} vs ${e.pts_time}`);
          assert.equal(a.flags[0], e.flags[0], `${where}: key flag`);
          assert.equal(a.size, e.size, `${where}: size`);
        }
      }
    }
  });
});

test('mkvinfo accepts the MKV; every cluster starts with a video key frame; blocks carry the MP4 samples', { skip: !hasMkvinfo }, () => {
  withTempDir((dir) => {
    for (const name of FILES) {
      const input = fixture(name);
      const remux = mp4ToMkv(bytesSource(input));
      const dump = mkvinfo(writeTemp(dir, `${name}.mkv`, remux.bytes));
      assert.deepEqual(dump.tracks.map((t) => t.codecId), remux.tracks.map((t) => t.codecId));
      const samples = remux.tracks.reduce((n, t) => n + t.sampleCount, 0);
      assert.equal(dump.blocks.length, samples, name);

      const mkv = readMatroska(bytesSource(remux.bytes));
      assert.deepEqual(mkv.issues.filter((i) => i.severity !== 'info'), [], name);
      const segment = mkv.documents[0]?.segments[0];
      assert.equal(segment?.info.timestampScale, 1_000_000);
      const video = segment.tracks.find((t) => t.kind === 'video');
      assert.ok(video?.codecPrivate && video.video?.pixelWidth === 320);
      const mp4 = readIsoBmff(bytesSource(input));
      for (const track of segment.tracks) {
        const source = mp4.tracks.find((t) => t.id === remux.tracks.find((r) => r.number === track.number)?.sourceTrackId);
        assert.deepEqual(track.codecPrivate?.bytes, source?.config?.bytes, `${name} track ${track.number}: CodecPrivate is the avcC/hvcC/AudioSpecificConfig`);
      }
      const keyframes = mkv.blocks.flags.filter((f, i) => mkv.blocks.track[i] === video.number && (f & BlockFlag.Key) !== 0).length;
      assert.equal(mkv.clusters.length, keyframes, `${name}: one cluster per key frame`);
      for (const cluster of mkv.clusters) {
        assert.equal(mkv.blocks.track[cluster.firstBlock], video.number, `${name}: cluster at ${cluster.timeMs} ms starts with video`);
        assert.ok(((mkv.blocks.flags[cluster.firstBlock] ?? 0) & BlockFlag.Key) !== 0, `${name}: … with a key frame`);
        assert.equal(cluster.timecode, mkv.blocks.timecode[cluster.firstBlock], 'the cluster time is the key frame time');
      }
      // Frames stay length-prefixed: the first NAL length of every video block fits the block.
      for (let i = 0; i < mkv.blocks.count; i++) {
        if (mkv.blocks.track[i] !== video.number) continue;
        const at = mkv.blocks.payloadOffset[i] ?? 0;
        const length = ((remux.bytes[at] ?? 0) << 24) | ((remux.bytes[at + 1] ?? 0) << 16) | ((remux.bytes[at + 2] ?? 0) << 8) | (remux.bytes[at + 3] ?? 0);
        assert.ok(length > 0 && length + 4 <= (mkv.blocks.payloadSize[i] ?? 0), `${name} block ${i}: NAL length ${length}`);
      }
    }
  });
});

test('streaming: the header is ready before any sample is read; clusters read their samples lazily', () => {
  const path = join(MEDIA, 'h264-aac.mp4');
  const source = fileSource(path);
  try {
    const remux = remuxMp4ToMkv(source);
    const headerReads = source.bytesRead;
    assert.ok(headerReads < source.size / 4, `planning read ${headerReads} of ${source.size} bytes`);
    const mkvHeader = readMatroska(bytesSource(remux.header));
    assert.deepEqual(mkvHeader.documents[0]?.segments[0]?.tracks.map((t) => t.codecId), ['V_MPEG4/ISO/AVC', 'A_AAC']);
    assert.equal(mkvHeader.documents[0]?.segments[0]?.dataSize, null, 'unknown-size Segment');

    const clusters = [];
    for (const cluster of remux.clusters()) {
      clusters.push(cluster);
      // fileSource scribbles over its buffer on every read: a cluster holding a view would be corrupted.
      assert.ok(cluster.keyframe);
    }
    assert.equal(clusters.length, remux.clusterCount);
    const whole = mp4ToMkv(bytesSource(fixture('h264-aac.mp4')), { duration: false });
    assert.deepEqual(concatBytes([remux.header, ...clusters.map((c) => c.bytes)]), whole.bytes, 'same bytes from a file and from memory');
    assert.deepEqual(clusters.map((c) => c.timecode), [21, 1021]);
    assert.ok(clusters.every((c) => c.durationMs > 900 && c.durationMs < 1100));
  } finally {
    source.close();
  }
});

test('producer style: unknown sizes, absolute timecodes; the PutMedia splitter sees one fragment per cluster', () => {
  const offset = 1_700_000_000_000;
  const remux = remuxMp4ToMkv(bytesSource(fixture('h264-aac-frag.mp4')), { producerStyle: true, timecodeOffsetMs: offset, segmentUid: new Uint8Array(16).fill(9) });
  const clusters = [...remux.clusters()];
  assert.equal(remux.header[remux.header.indexOf(0x67, 40) + 1], 0xff, 'Segment size FF');
  const splitter = new PutMediaSplitter();
  const events: IngestEvent[] = [...splitter.push(remux.header)];
  for (const cluster of clusters) {
    assert.equal(cluster.bytes[4], 0xff, 'Cluster size FF');
    events.push(...splitter.push(cluster.bytes));
  }
  events.push(...splitter.end());
  assert.deepEqual(events.map((e) => e.type), ['header', ...clusters.map(() => 'fragment')]);
  const fragments = events.filter((e): e is FragmentEvent => e.type === 'fragment');
  fragments.forEach((fragment, i) => {
    const cluster = clusters[i];
    assert.ok(cluster);
    assert.equal(fragment.timecode, cluster.timecode);
    assert.ok(fragment.timecode >= offset);
    assert.equal(fragment.keyframeFirst, true);
    assert.deepEqual(fragment.tracks, [1, 2]);
    assert.equal(fragment.blockCount, cluster.blockCount);
    assert.equal(fragment.startMs, cluster.startMs);
    assert.equal(fragment.endMs, cluster.endMs);
  });
});

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

test('ffmpeg-made MP4s: B-frames with edit lists and AAC priming (times shifted, as ffmpeg does); MPEG-4 Part 2 video left out, audio-only clusters', { skip: !hasFfmpeg || !hasFfprobe }, () => {
  withTempDir((dir) => {
    const lavfi = ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];
    const bframes = join(dir, 'bframes.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...lavfi, '-t', '3', '-c:v', 'libx264', '-bf', '2', '-g', '25', '-c:a', 'aac', bframes]);
    const remux = mp4ToMkv(bytesSource(new Uint8Array(readFileSync(bframes))));
    assert.deepEqual(remux.issues.map((i) => i.code), ['REMUX_NEGATIVE_TIME'], 'AAC priming starts before 0');
    assert.ok(remux.timeShiftMs > 20 && remux.timeShiftMs < 25);
    const mp4 = ffprobe(bframes);
    const mkv = ffprobe(writeTemp(dir, 'bframes.mkv', remux.bytes));
    for (const type of ['video', 'audio']) {
      const expected = packets(mp4, type);
      const actual = packets(mkv, type);
      assert.equal(actual.length, expected.length, `${type} packets`);
      expected.forEach((e, i) => {
        const a = actual[i];
        assert.ok(a);
        const pts = Number(e.pts_time) + remux.timeShiftMs / 1000;
        assert.ok(Math.abs(Number(a.pts_time) - pts) <= 0.001 + 1e-9, `${type} packet ${i}: pts ${a.pts_time} vs ${pts}`);
        assert.equal(a.flags[0], e.flags[0], `${type} packet ${i}: key flag`);
      });
    }
    const read = readMatroska(bytesSource(remux.bytes));
    assert.equal(read.clusters.length, 3, 'GOP of 25 frames at 25 fps, 3 s');
    assert.ok(read.blocks.relativeTimecode.some((t) => t < 0), 'audio before the first key frame has a negative block timecode');

    const part2 = join(dir, 'part2.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...lavfi, '-t', '5', '-c:v', 'mpeg4', '-c:a', 'aac', part2]);
    const audioOnly = remuxMp4ToMkv(bytesSource(new Uint8Array(readFileSync(part2))));
    assert.ok(audioOnly.issues.some((i) => i.code === 'REMUX_TRACK_SKIPPED' && /only H\.264/.test(i.message)));
    assert.deepEqual(audioOnly.tracks.map((t) => t.codecId), ['A_AAC']);
    const clusters = [...audioOnly.clusters()];
    assert.equal(clusters.length, 3, 'a cluster every 2 s');
    assert.ok(clusters.every((c) => c.keyframe));
    const probe = ffprobe(writeTemp(dir, 'audio.mkv', concatBytes([audioOnly.header, ...clusters.map((c) => c.bytes)])));
    assert.equal(packets(probe, 'audio').length, packets(ffprobe(part2), 'audio').length);
  });
});

test('tracks that cannot be remuxed are left out with an issue; nothing to write is an error', () => {
  const notMp4 = remuxMp4ToMkv(bytesSource(fixture('h264-aac.mkv')));
  assert.equal(notMp4.clusterCount, 0);
  assert.ok(notMp4.issues.some((i) => i.code === 'REMUX_NO_TRACKS'));
  assert.deepEqual([...notMp4.clusters()], []);
});

test('an avc3/hev1 MP4 whose record holds no parameter sets: the MKV\'s CodecPrivate carries its first key frame\'s, which ffmpeg reads as the extradata', { skip: !hasFfmpeg }, () => {
  withTempDir((dir) => {
    for (const entry of ['avc3', 'hev1'] as const) {
      const remux = mp4ToMkv(bytesSource(new Uint8Array(readFileSync(inBandOnlyMp4(dir, entry)))));
      assert.deepEqual(remux.issues, []);
      const sections = traceFile(writeTemp(dir, `${entry}.mkv`, remux.bytes));
      // (ffmpeg notes the 4 bytes of an avcC's High-profile fields, its own records' included, as "left at end".)
      const parameterSets = sections.filter((section) => /Parameter Set/.test(section.title));
      const fromExtradata = parameterSets.filter((section) => section.extradata);
      const inBand = parameterSets.filter((section) => !section.extradata);
      const names = entry === 'avc3' ? ['Sequence Parameter Set', 'Picture Parameter Set'] : ['Video Parameter Set', 'Sequence Parameter Set', 'Picture Parameter Set'];
      assert.deepEqual(fromExtradata.map((section) => section.title), names);
      assert.deepEqual(fromExtradata.map((section) => section.lines), inBand.map((section) => section.lines), 'the sets of the first key frame, field by field');
    }
  });
});
