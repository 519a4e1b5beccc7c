// MPEG-TS packaging judged by ffprobe/ffmpeg and our transport stream reader: each cluster as one TS
// fragment with all tracks has the MKV's streams, sizes, packet counts and pts (within 1 ms), decodes
// cleanly on its own, and consecutive fragments written with the returned continuity counters read
// as one stream without continuity errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { parseAdtsHeader } from '../../../../src/formats/codecs';
import { gatherPes, PES_RANDOM_ACCESS, readMpegTs } from '../../../../src/formats/mpegts';
import { FIRST_STREAM_PID, PMT_PID, trackConfig, tsFragment } from '../../../../src/formats/package';
import type { Loaded } from './helpers';
import { concat, decodeErrors, ffprobe, FIXTURES, hasFfmpeg, load, packetsOfType, withTempDir, writeTemp } from './helpers';

/** Every cluster as a TS fragment, counters continued from one to the next. */
function packageTs(f: Loaded): Uint8Array[] {
  let counters: Record<number, number> = {};
  return f.fragments.map((fragment, i) => {
    const out = tsFragment(f.tracks, fragment.samples, { continuityCounters: counters, timeOffsetMs: f.offsetMs });
    const expected = f.tracks.some((t) => t.codec === 'alaw' || t.codec === 'mulaw') ? ['PACKAGE_TS_UNSUPPORTED_CODEC'] : [];
    assert.deepEqual(out.issues.map((x) => x.code), expected, `${f.name} fragment ${i}`);
    counters = out.continuityCounters;
    return out.bytes;
  });
}

test('TS: every cluster as a fragment matches the MKV in ffprobe and decodes cleanly', { skip: !hasFfmpeg }, () => {
  withTempDir((dir) => {
    for (const path of FIXTURES) {
      const f = load(path);
      const fragments = packageTs(f);
      const mkv = ffprobe(f.path);
      const file = writeTemp(dir, `${f.name}.ts`, concat(fragments));
      const probe = ffprobe(file, 'mpegts');
      const carried = f.tracks.filter((t) => t.codec !== 'alaw' && t.codec !== 'mulaw');
      assert.equal(probe.streams.length, carried.length, `${f.name} streams`);
      for (const track of carried) {
        const where = `${f.name} ${track.kind}`;
        const stream = probe.streams.find((s) => s.codec_type === track.kind);
        const mkvStream = mkv.streams.find((s) => s.codec_type === track.kind);
        assert.ok(stream && mkvStream, where);
        assert.equal(stream.codec_name, mkvStream.codec_name, `${where} codec`);
        assert.equal(stream.time_base, '1/90000');
        if (track.kind === 'video') {
          assert.equal(stream.width, mkvStream.width, `${where} width`);
          assert.equal(stream.height, mkvStream.height, `${where} height`);
        } else {
          assert.equal(stream.sample_rate, mkvStream.sample_rate, `${where} sample rate`);
          assert.equal(stream.channels, mkvStream.channels, `${where} channels`);
        }
        const expected = packetsOfType(mkv, track.kind);
        const actual = packetsOfType(probe, track.kind);
        assert.equal(actual.length, expected.length, `${where} packet count`);
        let lastDts = -Infinity;
        for (let i = 0; i < expected.length; i++) {
          const e = expected[i];
          const a = actual[i];
          assert.ok(e && a && a.pts !== undefined && a.dts !== undefined && e.pts !== undefined);
          const ptsMs = a.pts / 90 - f.offsetMs;
          assert.ok(Math.abs(ptsMs - e.pts) <= 1, `${where} packet ${i}: pts ${ptsMs} ms vs ${e.pts} ms`);
          assert.equal(a.flags[0], e.flags[0], `${where} packet ${i} key flag`);
          assert.ok(a.dts <= a.pts, `${where} packet ${i}: dts after pts`);
          assert.ok(a.dts > lastDts, `${where} packet ${i}: dts not increasing`);
          lastDts = a.dts;
        }
      }
      assert.equal(decodeErrors(file, 'mpegts'), '', `${f.name} decodes`);
      fragments.forEach((fragment, i) => {
        const single = writeTemp(dir, `${f.name}.${i}.ts`, fragment);
        assert.equal(decodeErrors(single, 'mpegts'), '', `${f.name} fragment ${i} alone`);
      });
    }
  });
});

test('TS: our reader sees PAT/PMT, stream types, PCR on the video PID, random access flags, no continuity errors across fragments', () => {
  for (const path of ['test/fixtures/media/h264-aac.mkv', 'test/fixtures/media/h265-main.mkv', 'media/demo.mkv']) {
    const f = load(path);
    const fragments = packageTs(f);
    for (const fragment of fragments) assert.equal(fragment.length % 188, 0);
    const ts = readMpegTs(bytesSource(concat(fragments)));
    assert.deepEqual(ts.issues.filter((i) => i.severity !== 'info'), [], f.name);
    for (const pid of ts.pids) assert.equal(pid.ccErrors, 0, `${f.name} pid ${pid.pid}`);
    assert.equal(ts.programs.length, 1);
    assert.equal(ts.programs[0]?.pmtPid, PMT_PID);
    assert.equal(ts.programs[0]?.pcrPid, FIRST_STREAM_PID);
    const types = ts.streams.map((s) => s.streamType);
    assert.deepEqual(types, f.tracks.map((t) => ({ h264: 0x1b, h265: 0x24, aac: 0x0f })[t.codec as 'h264']));
    assert.ok(ts.pcr.count >= f.fragments.length, 'PCRs');
    const video = ts.streams[0];
    assert.ok(video);
    // One PES per access unit: as many as MKV video frames.
    const frames = f.fragments.reduce((n, fr) => n + (fr.samples.get(f.tracks[0]?.trackNumber ?? 1)?.length ?? 0), 0);
    assert.equal(video.pesCount, frames);

    // Without continued counters the second fragment restarts at 0: the reader flags it.
    const restarted = f.fragments.slice(0, 2).map((fr) => tsFragment(f.tracks, fr.samples).bytes);
    const broken = readMpegTs(bytesSource(concat(restarted)));
    assert.ok(broken.pids.some((p) => p.ccErrors > 0), `${f.name}: restarted counters are caught`);
  }
});

test('TS: access units are AUD + (SPS/PPS on key frames) + the NAL units with start codes; AAC frames are ADTS; first packets carry RAI and PCR', () => {
  const f = load('test/fixtures/media/h264-aac.mkv');
  const fragment = f.fragments[0];
  const [videoTrack, audioTrack] = f.tracks;
  assert.ok(fragment && videoTrack && audioTrack);
  const out = tsFragment(f.tracks, fragment.samples);
  const source = bytesSource(out.bytes);
  const ts = readMpegTs(source);
  const videoSamples = fragment.samples.get(videoTrack.trackNumber) ?? [];
  const audioSamples = fragment.samples.get(audioTrack.trackNumber) ?? [];
  const avc = trackConfig(videoTrack).parameterSets;
  assert.equal(avc.length, 2);
  let v = 0;
  let a = 0;
  for (let i = 0; i < ts.pes.count; i++) {
    const es = gatherPes(source, ts, i);
    const pid = ts.pes.pid[i];
    const flags = ts.pes.flags[i] ?? 0;
    if (pid === FIRST_STREAM_PID) {
      const sample = videoSamples[v++];
      assert.ok(sample);
      const expected: number[] = [0, 0, 0, 1, 0x09, 0xf0];
      if (sample.keyframe) for (const ps of avc) expected.push(0, 0, 0, 1, ...ps);
      for (let at = 0; at < sample.data.length; ) {
        const len = ((sample.data[at] ?? 0) << 24) | ((sample.data[at + 1] ?? 0) << 16) | ((sample.data[at + 2] ?? 0) << 8) | (sample.data[at + 3] ?? 0);
        expected.push(0, 0, 0, 1, ...sample.data.subarray(at + 4, at + 4 + len));
        at += 4 + len;
      }
      assert.deepEqual([...es], expected, `video AU ${v - 1}`);
      assert.equal((flags & PES_RANDOM_ACCESS) !== 0, sample.keyframe, `video AU ${v - 1} random_access_indicator`);
      assert.equal(ts.pes.pts[i], Math.round(sample.ptsMs * 90));
    } else {
      const sample = audioSamples[a++];
      assert.ok(sample);
      const header = parseAdtsHeader(es);
      assert.deepEqual(header.issues, []);
      assert.equal(header.derived.frameLength, es.length);
      assert.equal(header.derived.sampleRate, 48000);
      assert.equal(header.derived.channels, 1);
      assert.equal(header.derived.audioObjectType, 2);
      assert.deepEqual(es.subarray(7), sample.data);
      assert.equal(ts.pes.pts[i], Math.round(sample.ptsMs * 90));
    }
  }
  assert.equal(v, videoSamples.length);
  assert.equal(a, audioSamples.length);
  // The PCR rides on the first packet of each video PES, 100 ms before its DTS.
  assert.equal(ts.pcr.count, videoSamples.length);
  const firstDts = videoSamples[0]?.dtsMs ?? videoSamples[0]?.ptsMs ?? 0;
  assert.equal(ts.pcr.value[0], (Math.round(firstDts * 90) - 9000 > 0 ? Math.round(firstDts * 90) - 9000 : 0) * 300);
});

test('TS: H.265 key frames carry VPS, SPS and PPS after an H.265 AUD', () => {
  const f = load('test/fixtures/media/h265-main.mkv');
  const fragment = f.fragments[1];
  assert.ok(fragment);
  const source = bytesSource(tsFragment(f.tracks, fragment.samples).bytes);
  const ts = readMpegTs(source);
  const es = gatherPes(source, ts, 0);
  const types: number[] = [];
  for (let i = 0; i + 4 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1) {
      types.push(((es[i + 3] ?? 0) >> 1) & 0x3f);
      i += 3;
    }
  }
  assert.deepEqual(types.slice(0, 4), [35, 32, 33, 34]);
  assert.ok(types.slice(4).every((t) => t !== 35 && t !== 32), 'no second AUD or VPS');
});
