// Fragmented MP4 packaging judged by ffprobe/ffmpeg and our ISO BMFF reader: for every fixture track,
// the init segment plus every cluster's media fragment is the same stream as the MKV track (codec,
// size, rate, packet count, pts within 1 ms, key flags, sizes), decodes cleanly, and each media
// fragment decodes on its own after the init segment (HLS/DASH random access).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { boxPathAt, readIsoBmff } from '../../../../src/formats/isobmff';
import { codecString, initSegment, mediaFragment, mediaFragmentTracks, NON_SYNC_SAMPLE_FLAGS, SYNC_SAMPLE_FLAGS } from '../../../../src/formats/package';
import type { PackagingTrack } from '../../../../src/formats/package';
import type { Loaded } from './helpers';
import { concat, decodeErrors, ffprobe, FIXTURES, hasFfmpeg, load, packetsOfType, samplesOf, withTempDir, writeTemp } from './helpers';

function ticks(ms: number, track: PackagingTrack): number {
  return Math.round((ms * track.timescale) / 1000);
}

/** Init segment and one media fragment per cluster, placed `offsetMs` later than the MKV times. */
function packageTrack(f: Loaded, track: PackagingTrack): { init: Uint8Array; fragments: Uint8Array[] } {
  const init = initSegment(track, { sequenceNumber: 0 });
  assert.deepEqual(init.issues, [], `${f.name} init`);
  const fragments = f.fragments.map((fragment, i) => {
    const samples = samplesOf(fragment, track);
    const first = samples[0];
    assert.ok(first, `${f.name} cluster ${i} has samples of track ${track.trackNumber}`);
    const options = f.offsetMs === 0 ? { sequenceNumber: i + 1 } : { sequenceNumber: i + 1, baseDecodeTime: ticks((first.dtsMs ?? first.ptsMs) + f.offsetMs, track) };
    const out = mediaFragment(track, samples, options);
    assert.deepEqual(out.issues, [], `${f.name} fragment ${i}`);
    return out.bytes;
  });
  return { init: init.bytes, fragments };
}

const MKV_CODECS: Record<string, string> = { h264: 'h264', h265: 'hevc', aac: 'aac', alaw: 'pcm_alaw', mulaw: 'pcm_mulaw' };

test('fMP4: init + media fragments of every fixture track match the MKV track in ffprobe and decode cleanly', { skip: !hasFfmpeg }, () => {
  withTempDir((dir) => {
    for (const path of FIXTURES) {
      const f = load(path);
      const mkvProbe = ffprobe(f.path);
      for (const track of f.tracks) {
        const where = `${f.name} track ${track.trackNumber}`;
        const { init, fragments } = packageTrack(f, track);
        const file = writeTemp(dir, `${f.name}.${track.trackNumber}.mp4`, concat([init, ...fragments]));
        const probe = ffprobe(file);
        assert.equal(probe.streams.length, 1, where);
        const stream = probe.streams[0];
        const mkvStream = mkvProbe.streams.find((s) => s.codec_type === track.kind);
        assert.ok(stream && mkvStream, where);
        assert.equal(stream.codec_name, MKV_CODECS[track.codec], `${where} codec`);
        assert.equal(stream.codec_name, mkvStream.codec_name, `${where} codec as in the MKV`);
        assert.equal(stream.codec_tag_string, { h264: 'avc1', h265: 'hvc1', aac: 'mp4a', alaw: 'alaw', mulaw: 'ulaw' }[track.codec], `${where} sample entry`);
        assert.equal(stream.time_base, `1/${track.timescale}`, `${where} timescale`);
        if (track.kind === 'video') {
          assert.equal(stream.width, mkvStream.width, `${where} width`);
          assert.equal(stream.height, mkvStream.height, `${where} height`);
          assert.equal(track.width, mkvStream.width);
          assert.equal(track.height, mkvStream.height);
        } else {
          assert.equal(stream.sample_rate, mkvStream.sample_rate, `${where} sample rate`);
          assert.equal(stream.channels, mkvStream.channels, `${where} channels`);
        }

        const expected = packetsOfType(mkvProbe, track.kind);
        const actual = probe.packets;
        assert.equal(actual.length, expected.length, `${where} packet count`);
        let lastDts = -Infinity;
        for (let i = 0; i < expected.length; i++) {
          const e = expected[i];
          const a = actual[i];
          assert.ok(e && a && a.pts !== undefined && a.dts !== undefined && e.pts !== undefined);
          const at = `${where} packet ${i}`;
          const ptsMs = (a.pts * 1000) / track.timescale - f.offsetMs;
          assert.ok(Math.abs(ptsMs - e.pts) <= 1, `${at}: pts ${ptsMs} ms vs ${e.pts} ms in the MKV`);
          assert.equal(a.flags[0], e.flags[0], `${at} key flag`);
          assert.equal(a.size, e.size, `${at} size`);
          assert.ok(a.dts <= a.pts, `${at}: dts ${a.dts} > pts ${a.pts}`);
          assert.ok(a.dts > lastDts, `${at}: dts ${a.dts} not after ${lastDts}`);
          lastDts = a.dts;
        }
        assert.equal(decodeErrors(file), '', `${where} decodes`);
        // Each media fragment on its own after the init segment, as a player seeking to it loads it.
        fragments.forEach((fragment, i) => {
          const single = writeTemp(dir, `${f.name}.${track.trackNumber}.f${i}.mp4`, concat([init, fragment]));
          assert.equal(decodeErrors(single), '', `${where} fragment ${i} alone`);
        });
      }
    }
  });
});

test('fMP4: B-frame fixtures get composition offsets and DTS below PTS', { skip: !hasFfmpeg }, () => {
  for (const path of ['test/fixtures/media/h264-main-bframes.mkv', 'test/fixtures/media/h265-main.mkv']) {
    const f = load(path);
    const track = f.tracks[0];
    assert.ok(track);
    const { init, fragments } = packageTrack(f, track);
    const file = readIsoBmff(bytesSource(concat([init, ...fragments])));
    assert.deepEqual(file.issues, []);
    const samples = file.tracks[0]?.samples;
    assert.ok(samples);
    let reordered = 0;
    for (let i = 0; i < samples.count; i++) {
      assert.ok((samples.cto[i] ?? -1) >= 0, `${f.name} sample ${i} cto`);
      if ((samples.cto[i] ?? 0) > 0) reordered++;
    }
    // I and P frames are shown after the B-frames decoded after them.
    assert.ok(reordered >= samples.count / 4, `${f.name}: ${reordered} samples with a composition offset`);
    // The trun is version 1 (signed offsets) when there are offsets.
    const traf = file.fragments[0]?.tracks[0];
    const trun = traf && boxPathAt(file.boxes, traf.offset).at(-1)?.children?.find((b) => b.type === 'trun');
    assert.equal(trun?.version, 1);
  }
});

test('fMP4: structure as KVS serves it (ftyp brands, one trak, mvex/trex, tfhd base-is-moof, tfdt, trun flags)', () => {
  const f = load('test/fixtures/media/h264-aac.mkv');
  for (const track of f.tracks) {
    const { init, fragments } = packageTrack(f, track);
    const initFile = readIsoBmff(bytesSource(init));
    assert.equal(initFile.kind, 'init-segment');
    assert.deepEqual(initFile.issues, []);
    assert.equal(initFile.brands?.majorBrand, 'iso6');
    assert.deepEqual(initFile.brands?.compatibleBrands, ['iso6', 'iso5', 'cmfc', 'dash', 'mp41']);
    assert.equal(initFile.tracks.length, 1);
    const t = initFile.tracks[0];
    assert.ok(t);
    assert.equal(t.id, track.trackNumber);
    assert.equal(t.timescale, track.timescale);
    assert.equal(t.defaults?.defaultSampleDescriptionIndex, 1);
    if (track.kind === 'audio') {
      assert.equal(t.codec, 'mp4a');
      assert.equal(t.esds?.objectTypeIndication, 0x40);
      assert.equal(t.config?.type, 'esds');
      assert.deepEqual(t.config.bytes, track.codecPrivate, 'the ASC as DecoderSpecificInfo');
      assert.equal(t.sampleRate, 48000);
    } else {
      assert.equal(t.codec, 'avc1');
      assert.equal(t.config?.type, 'avcC');
      assert.deepEqual(t.config.bytes, track.codecPrivate, 'the avcC as stored');
      assert.equal(t.width, 320);
      assert.equal(t.height, 240);
    }

    const whole = readIsoBmff(bytesSource(concat([init, ...fragments])));
    assert.equal(whole.kind, 'fragmented');
    assert.deepEqual(whole.issues, []);
    assert.equal(whole.fragments.length, f.fragments.length);
    let previousEnd: number | undefined;
    whole.fragments.forEach((fragment, i) => {
      assert.equal(fragment.sequenceNumber, i + 1);
      const traf = fragment.tracks[0];
      assert.ok(traf && traf.hasTfdt);
      const first = samplesOf(f.fragments[i] ?? { samples: new Map(), issues: [] }, track)[0];
      assert.ok(first);
      assert.equal(traf.baseDecodeTime, ticks(first.dtsMs ?? first.ptsMs, track), 'tfdt = first DTS');
      assert.equal(traf.dataOffset, fragment.offset + fragment.size + 8, 'data starts right after the mdat header');
      if (previousEnd !== undefined) assert.equal(traf.baseDecodeTime, previousEnd, `fragment ${i} continues the previous one`);
      previousEnd = traf.baseDecodeTime + traf.duration;
      const trafChildren = boxPathAt(whole.boxes, traf.offset).at(-1)?.children;
      const tfhd = trafChildren?.find((b) => b.type === 'tfhd');
      assert.equal(tfhd?.flags, 0x020000, 'default-base-is-moof only');
      const tfdt = trafChildren?.find((b) => b.type === 'tfdt');
      assert.equal(tfdt?.version, 1);
      const trun = trafChildren?.find((b) => b.type === 'trun');
      assert.equal(trun?.flags, 0x000701, 'data offset, duration, size, flags (no composition offsets without reordering)');
    });
    const samples = whole.tracks[0]?.samples;
    assert.ok(samples?.flags);
    for (let i = 0; i < samples.count; i++) {
      if (track.kind === 'audio') {
        assert.equal(samples.flags[i], SYNC_SAMPLE_FLAGS);
        assert.equal(samples.duration[i], 1024, `AAC frame ${i} lasts exactly 1024 samples`);
      } else {
        assert.equal(samples.flags[i], samples.sync[i] ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS);
        assert.equal(samples.duration[i], 3600, `video frame ${i} lasts 40 ms`);
      }
    }
  }
});

test('fMP4: a fragment with both tracks (mediaFragmentTracks) and a two-track init segment', { skip: !hasFfmpeg }, () => {
  const f = load('media/demo.mkv');
  const init = initSegment(f.tracks);
  assert.deepEqual(init.issues, []);
  const fragments = f.fragments.map((fragment, i) =>
    mediaFragmentTracks(
      f.tracks.map((track) => ({ track, samples: samplesOf(fragment, track) })),
      { sequenceNumber: i + 1 },
    ),
  );
  for (const fr of fragments) assert.deepEqual(fr.issues, []);
  withTempDir((dir) => {
    const file = writeTemp(dir, 'demo.mp4', concat([init.bytes, ...fragments.map((fr) => fr.bytes)]));
    const probe = ffprobe(file);
    const mkv = ffprobe(f.path);
    assert.deepEqual(probe.streams.map((s) => s.codec_name), ['h264', 'aac']);
    for (const type of ['video', 'audio']) assert.equal(packetsOfType(probe, type).length, packetsOfType(mkv, type).length, type);
    assert.equal(decodeErrors(file), '');
  });
});

test('fMP4: a caller-chosen baseDecodeTime moves the whole fragment', () => {
  const f = load('test/fixtures/media/h264-main-bframes.mkv');
  const track = f.tracks[0];
  assert.ok(track);
  const samples = samplesOf(f.fragments[1] ?? { samples: new Map(), issues: [] }, track);
  const a = readIsoBmff(bytesSource(concat([initSegment(track).bytes, mediaFragment(track, samples, { sequenceNumber: 7 }).bytes])));
  const b = readIsoBmff(bytesSource(concat([initSegment(track).bytes, mediaFragment(track, samples, { sequenceNumber: 7, baseDecodeTime: 123_456_789 }).bytes])));
  const sa = a.tracks[0]?.samples;
  const sb = b.tracks[0]?.samples;
  assert.ok(sa && sb);
  const shift = 123_456_789 - (sa.dts[0] ?? 0);
  for (let i = 0; i < sa.count; i++) {
    assert.equal(sb.dts[i], (sa.dts[i] ?? 0) + shift);
    assert.equal(sb.cto[i], sa.cto[i]);
  }
  // Epoch-millisecond times (KVS producer timestamps) fit: tfdt is 64-bit.
  const epoch = samples.map((s) => ({ ...s, ptsMs: s.ptsMs + 1_700_000_000_000, dtsMs: (s.dtsMs ?? s.ptsMs) + 1_700_000_000_000 }));
  const c = readIsoBmff(bytesSource(concat([initSegment(track).bytes, mediaFragment(track, epoch, { sequenceNumber: 1 }).bytes])));
  assert.equal(c.fragments[0]?.tracks[0]?.baseDecodeTime, ((samples[0]?.dtsMs ?? 0) + 1_700_000_000_000) * 90);
});

test('codecString: RFC 6381 strings for the fixtures, consistent with ffprobe profile and level', { skip: !hasFfmpeg }, () => {
  const expected: Record<string, string[]> = {
    'h264-aac.mkv': ['avc1.4d400d', 'mp4a.40.2'],
    'h264-main-bframes.mkv': ['avc1.4d400d'],
    'h265-main.mkv': ['hvc1.1.6.L60.90'],
    'h264-alaw.mkv': ['avc1.4d400d', 'alaw'],
    'h264-mulaw.mkv': ['avc1.4d400d', 'ulaw'],
    'demo.mkv': ['avc1.4d401f', 'mp4a.40.2'],
  };
  for (const path of FIXTURES) {
    const f = load(path);
    assert.deepEqual(f.tracks.map((t) => codecString(t)), expected[f.name], f.name);
    const probe = ffprobe(f.path);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    const code = codecString(f.tracks[0] as PackagingTrack) ?? '';
    if (video?.codec_name === 'h264') {
      const profileIdc = parseInt(code.slice(5, 7), 16);
      const levelIdc = parseInt(code.slice(9, 11), 16);
      assert.equal(levelIdc, video.level, `${f.name} level`);
      assert.equal({ 66: 'Baseline', 77: 'Main', 100: 'High' }[profileIdc], video.profile?.replace('Constrained ', ''), `${f.name} profile`);
    } else if (video?.codec_name === 'hevc') {
      assert.equal(video.profile, 'Main');
      assert.ok(code.includes(`.L${video.level ?? ''}`), `${code} has level ${video.level}`);
    }
  }
});
