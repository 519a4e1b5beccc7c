import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFile, MP4BoxBuffer } from 'mp4box';
import { bytesSource } from '../../../src/formats/byteSource';
import { findBoxes, readIsoBmff } from '../../../src/formats/isobmff';
import type { JsonReport } from '../../../src/formats/inspect/jsonReport';
import { mp4ToMkv } from '../../../src/formats/remux';
import { FIXTURES, ffprobePackets, ffprobeStreams, inspectJson, kvsInspect } from './cli';
import { relayoutPlainMp4 } from './helpers/mp4Layout';
import { TsWriter } from './helpers/tsWriter';

/** `bytes` written as `name` in `dir`: the path. */
function written(dir: string, name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const cases = [
  { name: 'h264-aac.mp4', format: 'mp4' },
  { name: 'h264-aac-frag.mp4', format: 'fragmented-mp4' },
  { name: 'h264-he-aac-implicit.mp4', format: 'mp4' },
  { name: 'h265-main-frag.mp4', format: 'fragmented-mp4' },
  { name: 'h264-aac.ts', format: 'mpeg-ts' },
  { name: 'h265-main.ts', format: 'mpeg-ts' },
];

for (const { name, format } of cases) {
  test(`${name}: format, tracks and video frames agree with ffprobe`, () => {
    const file = `${FIXTURES}/${name}`;
    const report = inspectJson(file, '--frames');
    assert.equal(report.format, format);
    const streams = ffprobeStreams(file);
    assert.equal(report.tracks.length, streams.length);
    const packets = ffprobePackets(file);
    for (const [index, stream] of streams.entries()) {
      const track = report.tracks[index];
      assert.ok(track);
      if (stream.codec_type === 'video') {
        assert.deepEqual([track.width, track.height], [stream.width, stream.height]);
        assert.equal(track.family, stream.codec_name === 'hevc' ? 'h265' : 'h264');
        assert.ok(track.codecPrivate?.sps?.length, 'SPS decoded');
        // Video: one frame per packet, with ffprobe's pts and keyframe flag.
        const ours = (report.frames ?? []).filter((frame) => frame.track === track.number);
        const theirs = packets.filter((packet) => packet.stream_index === stream.index);
        assert.equal(ours.length, theirs.length);
        ours.forEach((frame, i) => {
          const packet = theirs[i];
          assert.ok(packet);
          assert.ok(Math.abs(frame.ptsMs - Number(packet.pts_time) * 1000) < 0.5, `frame ${i} pts ${frame.ptsMs} vs ${packet.pts_time}`);
          assert.equal(frame.keyframe, packet.flags.startsWith('K'), `frame ${i} keyframe`);
        });
      } else {
        assert.equal(track.sampleRate, Number(stream.sample_rate));
        assert.equal(track.channels, stream.channels);
        assert.equal(track.codec, 'mp4a.40.2');
        // Audio: one frame per packet (in MPEG-TS, per ADTS frame of each PES), with ffprobe's pts and size.
        const ours = (report.frames ?? []).filter((frame) => frame.track === track.number);
        const theirs = packets.filter((packet) => packet.stream_index === stream.index);
        assert.equal(ours.length, theirs.length);
        ours.forEach((frame, i) => {
          const packet = theirs[i];
          assert.ok(Math.abs(frame.ptsMs - Number(packet?.pts_time) * 1000) < 0.5, `audio frame ${i} pts ${frame.ptsMs} vs ${packet?.pts_time}`);
          assert.equal(frame.size, Number(packet?.size), `audio frame ${i} size`);
        });
      }
    }
  });
}

test("G.711 in MOV ('alaw'/'ulaw' entries, no codec private data): the tracks ffprobe sees, a frame row per chunk as its packets, and only the note that HLS takes AAC", () => {
  for (const [name, family, codecName, codec] of [
    ['h264-alaw.mov', 'g711-alaw', 'G.711 A-law', 'alaw'],
    ['h264-mulaw.mov', 'g711-mulaw', 'G.711 mu-law', 'ulaw'],
  ] as const) {
    const file = `${FIXTURES}/${name}`;
    const result = kvsInspect(['--json', '--checks', '--frames', file]);
    assert.equal(result.status, 0, `${name}: ${result.stderr}`);
    const report = JSON.parse(result.stdout) as JsonReport;
    const audio = ffprobeStreams(file).find((stream) => stream.codec_type === 'audio');
    const track = report.tracks.find((t) => t.kind === 'audio');
    assert.equal(track?.family, family);
    assert.equal(track.codecName, codecName);
    // RFC 6381 names such a codec by its sample entry, as ffprobe's codec tag does.
    assert.deepEqual([track.codec, audio?.codec_tag_string], [codec, codec]);
    assert.deepEqual([track.sampleRate, track.channels], [Number(audio?.sample_rate), audio?.channels]);
    // A sample of uncompressed audio is one instant (one byte here): rows are chunks, as ffprobe's packets.
    const rows = (report.frames ?? []).filter((frame) => frame.track === track.number).map((frame) => [frame.offset, frame.size, frame.ptsMs.toFixed(3)]);
    const packets = ffprobePackets(file).filter((packet) => packet.stream_index === audio?.index).map((packet) => [Number(packet.pos), Number(packet.size), (Number(packet.pts_time) * 1000).toFixed(3)]);
    assert.ok(packets.length > 10 && packets.length < 100, `${name}: ${packets.length} packets`);
    assert.deepEqual(rows, packets, name);
    assert.deepEqual(report.issues.map((found) => [found.severity, found.code, found.offset]), [['info', 'G711_NOT_PACKAGED_EVERYWHERE', track.offset]], name);
  }
});

test('PCM in MOV written as one chunk: a frame row per 1024 samples, as ffprobe\'s packets', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-pcm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'pcm.mov');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2', '-c:a', 'pcm_s16le', '-ac', '2', file]);
  const report = inspectJson(file, '--frames');
  const rows = (report.frames ?? []).map((frame) => [frame.offset, frame.size, frame.ptsMs.toFixed(3)]);
  const packets = ffprobePackets(file).map((packet) => [Number(packet.pos), Number(packet.size), (Number(packet.pts_time) * 1000).toFixed(3)]);
  assert.equal(packets.length, 94); // 96 000 samples: 93 of 1024 and one of 768
  assert.deepEqual(rows, packets);
});

test('PCM in MOV by its sample entry (sowt, twos, in24, fl32) is named and has the bit depth ffprobe gives it; a timecode track is neither video nor audio; compressed audio shows no bit depth', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-pcm-entries-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [encoder, entry, name] of [['pcm_s16le', 'sowt', 'PCM, little-endian integer'], ['pcm_s16be', 'twos', 'PCM, big-endian integer'], ['pcm_s24le', 'in24', 'PCM, integer'], ['pcm_f32le', 'fl32', 'PCM, IEEE float']] as const) {
    const file = join(dir, `${entry}.mov`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '1', '-c:v', 'libx264', '-bf', '0', '-pix_fmt', 'yuv420p', '-c:a', encoder, '-timecode', '01:00:00:00', file]);
    const report = inspectJson(file);
    const streams = ffprobeStreams(file);
    assert.deepEqual(report.tracks.map((track) => [track.kind, track.codecId, track.codecName, track.bitDepth]), [
      ['video', 'avc1', 'H.264 High@L1.1', 8],
      ['audio', entry, name, Number(streams[1]?.bits_per_sample)],
      ['other', 'tmcd', 'QuickTime timecode', undefined],
    ], entry);
    assert.equal(streams[2]?.codec_tag_string, 'tmcd');
    assert.deepEqual(report.issues.map((found) => found.message.replace(/:.*/, '')), [`Track 2 (${entry}) is not a codec KVS HLS/DASH/GetClip can package`, 'Track 3 (tmcd) is neither video nor audio'], entry);
  }
  // ffmpeg's Matroska muxer writes BitDepth 32 for AAC (mkvinfo shows it): meaningless for compressed audio.
  assert.match(execFileSync('mkvinfo', [`${FIXTURES}/h264-aac.mkv`], { encoding: 'utf8' }), /Bit depth: 32/);
  assert.equal(inspectJson(`${FIXTURES}/h264-aac.mkv`).tracks[1]?.bitDepth, undefined);
});

test('an MP4 whose tkhd matrix rotates the picture: the rotation ffprobe reads, and a warning at the tkhd that a KVS stream will not carry it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-rotation-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const plain = join(dir, 'plain.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '1', '-c:v', 'libx264', '-bf', '0', '-pix_fmt', 'yuv420p', plain]);
  const unrotated = inspectJson(plain);
  assert.deepEqual([unrotated.tracks[0]?.rotation, unrotated.issues], [undefined, []]);
  for (const [tag, words] of [[90, '90° counterclockwise'], [180, 'upside down'], [270, '90° clockwise']] as const) {
    const file = join(dir, `rotate-${tag}.mp4`);
    execFileSync('ffmpeg', ['-v', 'error', '-i', plain, '-c', 'copy', '-metadata:s:v', `rotate=${tag}`, file]);
    const theirs = ffprobeStreams(file)[0]?.side_data_list?.find((data) => data.rotation !== undefined)?.rotation;
    const report = inspectJson(file);
    const ours = report.tracks[0]?.rotation;
    assert.ok(ours !== undefined && theirs !== undefined && (ours - theirs) % 360 === 0, `rotate=${tag}: ours ${ours}, ffprobe ${theirs}`);
    assert.deepEqual(report.issues.map((found) => found.code), ['VIDEO_ROTATION_NOT_CARRIED']);
    const at = report.issues[0]?.offset ?? 0;
    assert.equal(readFileSync(file).subarray(at + 4, at + 8).toString('latin1'), 'tkhd');
    assert.match(report.issues[0]?.message ?? '', new RegExp(`turns the picture ${words} for display`));
    assert.match(kvsInspect([file]).stdout, new RegExp(`160x120  \\(coded 160x128\\)  turned ${words}  25 fps`));
  }
});

test("AAC in QuickTime MOV (esds inside the sound description's 'wave' atom): the track ffprobe sees, the same as in MP4", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-mov-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'aac.mov');
  execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mkv`, '-c', 'copy', '-f', 'mov', file]);
  assert.ok(readFileSync(file).includes('wave'), 'ffmpeg wrote a wave atom');
  const report = inspectJson(file);
  const audio = ffprobeStreams(file).find((stream) => stream.codec_type === 'audio');
  const track = report.tracks.find((t) => t.kind === 'audio');
  const fromMp4 = inspectJson(`${FIXTURES}/h264-aac.mp4`).tracks.find((t) => t.kind === 'audio');
  assert.equal(audio?.codec_name, 'aac');
  assert.deepEqual([track?.family, track?.sampleRate, track?.channels], ['aac', Number(audio?.sample_rate), audio?.channels]);
  assert.deepEqual([track?.codec, track?.codecPrivate?.fields], [fromMp4?.codec, fromMp4?.codecPrivate?.fields]);
  assert.deepEqual(report.issues, []);
});

test('an ftyp followed by bytes that are no box is called MP4, not fragmented MP4', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-garbage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'garbage.mp4');
  const ftyp = readFileSync(`${FIXTURES}/h264-aac.mp4`).subarray(0, 32);
  assert.equal(ftyp.toString('latin1', 4, 8), 'ftyp');
  writeFileSync(file, Buffer.concat([ftyp.subarray(0, ftyp.readUInt32BE(0)), Buffer.from([0x6c, 0xa7, 0, 0, 0x43, 0x39, 0xf8, 0xd7]), Buffer.alloc(100)]));
  const report = inspectJson(file);
  assert.equal(report.format, 'mp4');
  assert.deepEqual(report.issues.map((found) => found.code), ['NO_MOVIE', 'BOX_TYPE_INVALID', 'BOX_TRUNCATED']);
});

test('the DASH init segment alone gives tracks and codec private data, no frames', () => {
  const report = inspectJson(`${FIXTURES}/h264-aac-dash/init-0.mp4`, '--frames');
  assert.equal(report.tracks[0]?.codec, 'avc1.4d400d');
  assert.equal(report.frames?.length, 0);
  assert.deepEqual(report.issues, []);
});

test('a DASH media segment alone is named as such (no init segment), not as a codec KVS cannot play; with its init segment it is whole', () => {
  const segment = `${FIXTURES}/h264-aac-dash/seg-0-1.m4s`;
  const alone = inspectJson(segment);
  assert.deepEqual(alone.issues.map((i) => [i.severity, i.code]), [['warning', 'INIT_SEGMENT_MISSING'], ['info', 'TIMESCALE_UNKNOWN']]);
  assert.match(alone.issues[0]?.hint ?? '', /cat init\.mp4 segment\.m4s \| kvs-inspect -/);
  const joined = kvsInspect(['--json', '-'], Buffer.concat([readFileSync(`${FIXTURES}/h264-aac-dash/init-0.mp4`), readFileSync(segment)]));
  const whole = JSON.parse(joined.stdout) as JsonReport;
  assert.deepEqual(whole.issues, []);
  assert.equal(whole.tracks[0]?.codec, 'avc1.4d400d');
  assert.equal(whole.fragments[0]?.frameCount, alone.fragments[0]?.frameCount);
});

test('a later DASH media segment alone has no times (its timescale is in the init segment); with it, ffprobe\'s', (t) => {
  const segment = `${FIXTURES}/h264-aac-dash/seg-0-2.m4s`;
  const alone = inspectJson(segment, '--frames');
  assert.deepEqual(alone.fragments.map((f) => [f.startMs, f.durationMs, f.frameCount]), [[null, null, 25]]);
  assert.ok(alone.frames?.every((frame) => frame.ptsMs === null && frame.dtsMs === null));
  assert.deepEqual(alone.issues.map((i) => i.code), ['INIT_SEGMENT_MISSING', 'TIMESCALE_UNKNOWN']);
  assert.match(kvsInspect([segment]).stdout, /^ {2}0 +76 +22788 +- +- +25 +yes$/m);

  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-segment-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const joined = join(dir, 'joined.mp4');
  writeFileSync(joined, Buffer.concat([readFileSync(`${FIXTURES}/h264-aac-dash/init-0.mp4`), readFileSync(segment)]));
  const whole = inspectJson(joined, '--frames');
  const pts = ffprobePackets(joined).map((packet) => Number(packet.pts_time) * 1000);
  assert.ok((pts[0] ?? 0) > 0, 'the second segment starts after 0');
  // ffprobe prints pts_time to the microsecond.
  const close = (a: number | null | undefined, b: number | undefined) => Math.abs((a ?? NaN) - (b ?? NaN)) < 0.001;
  assert.ok(close(whole.fragments[0]?.startMs, Math.min(...pts)), `start ${whole.fragments[0]?.startMs}`);
  assert.equal(whole.frames?.length, pts.length);
  assert.ok(whole.frames.every((frame, i) => close(frame.ptsMs, pts[i])));
});

test('a TS recording longer than 10 s: one fragment per GOP, found with or without random_access_indicator, and in the same plain MP4', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'recording.ts');
  // 12 s of 10 fps H.264 with a keyframe every 2 s.
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '12', '-c:v', 'libx264', '-g', '20', '-keyint_min', '20', '-sc_threshold', '0', '-bf', '0', '-f', 'mpegts', file]);
  const keyframeTimes = ffprobePackets(file).filter((p) => p.flags.startsWith('K')).map((p) => Number(p.pts_time) * 1000);
  assert.equal(keyframeTimes.length, 6);

  const expectGops = (path: string, times = keyframeTimes) => {
    const result = kvsInspect(['--json', '--checks', path]);
    assert.equal(result.status, 0, result.stdout);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.deepEqual(report.fragments.map((f) => f.startMs), times, path);
    assert.deepEqual(report.fragments.map((f) => [f.keyframeStart, f.frameCount, f.durationMs]), times.map(() => [true, 20, 2000]));
    assert.deepEqual(report.issues, []);
  };
  expectGops(file);

  // The same file with every adaptation field's random_access_indicator cleared: keyframes from the IDR NAL units.
  const bytes = new Uint8Array(readFileSync(file));
  let cleared = 0;
  for (let p = 0; p + 188 <= bytes.length; p += 188) {
    const hasAdaptation = ((bytes[p + 3] ?? 0) & 0x20) !== 0 && (bytes[p + 4] ?? 0) > 0;
    if (hasAdaptation && ((bytes[p + 5] ?? 0) & 0x40) !== 0) {
      bytes[p + 5] = (bytes[p + 5] ?? 0) & ~0x40;
      cleared++;
    }
  }
  assert.ok(cleared >= 6, `cleared ${cleared} random_access_indicator flags`);
  const unmarked = join(dir, 'unmarked.ts');
  writeFileSync(unmarked, bytes);
  expectGops(unmarked);

  // A plain MP4 of the same recording is cut the same way (as kvs-put cuts it for PutMedia).
  const mp4 = join(dir, 'recording.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-c', 'copy', mp4]);
  expectGops(mp4, ffprobePackets(mp4).filter((p) => p.flags.startsWith('K')).map((p) => Number(p.pts_time) * 1000));
  // One GOP of 12 s: a fragment KVS would reject.
  const longGop = join(dir, 'long-gop.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '12', '-c:v', 'libx264', '-g', '120', '-keyint_min', '120', '-sc_threshold', '0', '-bf', '0', longGop]);
  const checked = kvsInspect(['--json', '--checks', longGop]);
  assert.equal(checked.status, 2);
  assert.deepEqual((JSON.parse(checked.stdout) as JsonReport).issues.map((i) => i.code), ['FRAGMENT_TOO_LONG']);
});

test('fMP4 with a moof per track (separate_moof), video or audio first: the audio moofs join their video fragment, as in one moof per fragment', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-sep-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fragmented = (name: string, flags: string, map: string[] = []) => {
    const file = join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mkv`, ...map, '-c', 'copy', '-movflags', `+frag_keyframe+empty_moov+default_base_moof${flags}`, file]);
    return file;
  };
  const joint = inspectJson(fragmented('joint.mp4', ''), '--frames');
  const summary = (r: JsonReport) => r.fragments.map((f) => [f.startMs, f.durationMs, f.frameCount, f.keyframeStart]);
  const perFragment = (r: JsonReport) => (r.frames ?? []).map((f) => `${f.track} ${f.ptsMs} ${f.fragment}`).sort();
  // ffmpeg writes the moofs of a fragment in track order: audio mapped first comes before its video.
  for (const [name, map] of [['video-first.mp4', []], ['audio-first.mp4', ['-map', '0:a', '-map', '0:v']]] as const) {
    const separate = fragmented(name, '+separate_moof', [...map]);
    const result = kvsInspect(['--json', '--frames', '--checks', separate]);
    assert.equal(result.status, 0, result.stdout);
    const report = JSON.parse(result.stdout) as JsonReport;
    const moofs = readFileSync(separate).toString('latin1').split('moof').length - 1;
    assert.equal(moofs, 2 * joint.fragments.length, 'a moof per track per fragment');
    assert.deepEqual(summary(report), summary(joint), name);
    assert.deepEqual(report.issues, [], name);
    const tracksAsJoint = (r: JsonReport) => perFragment(r).map((row) => (name === 'audio-first.mp4' ? row.replace(/^(\d)/, (n) => (n === '1' ? '2' : '1')) : row)).sort();
    assert.deepEqual(tracksAsJoint(report), perFragment(joint), name);
  }
});

test('fMP4 whose audio moofs are shorter than its 7 s GOPs (separate_moof with frag_duration, frag_every_frame): each joins the GOP it plays in, with no false FRAGMENT_TOO_LONG', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-audio-moofs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const source = join(dir, 'source.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '15', '-c:v', 'libx264', '-g', '70', '-keyint_min', '70', '-sc_threshold', '0', '-bf', '0', '-c:a', 'aac', source]);
  const keyframeTimes = ffprobePackets(source).filter((p) => p.codec_type === 'video' && p.flags.startsWith('K')).map((p) => Number(p.pts_time) * 1000);
  assert.equal(keyframeTimes.length, 3);
  for (const options of [['-movflags', '+frag_keyframe+empty_moov+default_base_moof+separate_moof', '-frag_duration', '1000000'], ['-movflags', '+frag_every_frame+empty_moov+default_base_moof']]) {
    const file = join(dir, 'fragmented.mp4');
    execFileSync('ffmpeg', ['-y', '-v', 'error', '-i', source, '-c', 'copy', ...options, file]);
    const report = inspectJson(file, '--frames', '--checks'); // throws on exit status 2 (FRAGMENT_TOO_LONG)
    const what = options.join(' ');
    // ffmpeg's frag_every_frame gives some AAC frames the time of the frame before: reported, as ffprobe counts them.
    const audioTimes = ffprobePackets(file).filter((p) => p.codec_type === 'audio').map((p) => p.pts_time);
    const repeats = audioTimes.filter((time, k) => audioTimes.indexOf(time) !== k).length;
    const expected = repeats === 0 ? [] : [`FRAME_TIMECODE_REPEATED: Track 2 has ${repeats} frames at the same timecode as a frame before`];
    assert.deepEqual(report.issues.filter((found) => found.severity !== 'info').map((found) => `${found.code}: ${found.message.replace(/ \(the first.*/, '')}`), expected, what);
    assert.equal(report.fragments.length, 3, what);
    report.fragments.forEach((fragment, k) => {
      assert.ok(fragment.keyframeStart && Math.abs((fragment.startMs ?? NaN) - (keyframeTimes[k] ?? NaN)) < 25, `${what}: fragment ${k} starts at ${fragment.startMs} ms`);
    });
    // The audio of each fragment plays from its keyframe (less part of one AAC frame) to the next.
    for (const frame of (report.frames ?? []).filter((f) => f.track === 2)) {
      const [from = 0, to = Infinity] = [keyframeTimes[frame.fragment] ?? 0, keyframeTimes[frame.fragment + 1]];
      assert.ok(frame.ptsMs >= from - 21.4 && frame.ptsMs < to, `${what}: audio at ${frame.ptsMs} ms in fragment ${frame.fragment}`);
    }
  }
});

test('a plain MP4 whose audio lies in 2 s chunks, or after all the video: each audio frame in the fragment of the last keyframe before it, as kvs-put sends it, with no false errors', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-chunks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const interleaved = join(dir, 'interleaved.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '25', '-bf', '0', '-c:a', 'aac', interleaved]);
  const original = inspectJson(interleaved, '--frames');
  // Each frame's own duration (the stts's) is in its row, as ffprobe gives it.
  const durationAt = new Map(ffprobePackets(interleaved).map((p) => [Number(p.pos), Number(p.duration_time) * 1000]));
  for (const frame of original.frames ?? []) assert.ok(Math.abs((frame.durationMs ?? NaN) - (durationAt.get(frame.offset) ?? NaN)) < 0.001, `frame at ${frame.offset}: ${frame.durationMs} ms`);
  for (const [name, chunkMs] of [['chunks-2s.mp4', 2000], ['sequential.mp4', Infinity]] as const) {
    const file = join(dir, name);
    writeFileSync(file, relayoutPlainMp4(readFileSync(interleaved), chunkMs));
    // The samples are ffprobe's (at the same places, of the same sizes and times), only elsewhere in the file.
    const packets = ffprobePackets(file);
    const result = kvsInspect(['--json', '--frames', '--checks', file]);
    assert.equal(result.status, 0, result.stdout.slice(0, 3000));
    const report = JSON.parse(result.stdout) as JsonReport;
    const frames = report.frames ?? [];
    const packetAt = new Map(packets.map((p) => [Number(p.pos), p]));
    assert.equal(frames.length, packets.length, name);
    for (const frame of frames) {
      const packet = packetAt.get(frame.offset);
      assert.ok(packet && Number(packet.size) === frame.size && Math.abs(Number(packet.pts_time) * 1000 - frame.ptsMs) < 0.01, `${name}: frame at ${frame.offset}: ${JSON.stringify(packet)}`);
    }
    assert.notDeepEqual(frames.map((f) => f.offset), (original.frames ?? []).map((f) => f.offset), `${name} moved the samples`);
    assert.equal(report.fragments.length, 4, name);
    const keyframeTimes = packets.filter((p) => p.codec_type === 'video' && p.flags.startsWith('K')).map((p) => Number(p.pts_time) * 1000);
    assert.equal(keyframeTimes.length, 4, name);
    for (const frame of frames.filter((f) => f.track === 2)) {
      const expected = keyframeTimes.reduce((found, time, k) => (time <= frame.ptsMs + 0.001 ? k : found), 0);
      assert.equal(frame.fragment, expected, `${name}: audio at ${frame.ptsMs} ms`);
    }
    assert.deepEqual(report.fragments.map((f) => [f.startMs, f.durationMs, f.frameCount]), original.fragments.map((f) => [f.startMs, f.durationMs, f.frameCount]), name);
    // A fragment weighs what its frames do, wherever the file keeps them: the same in every layout.
    assert.deepEqual(report.fragments.map((f) => f.size), original.fragments.map((f) => f.size), name);
  }
});

/**
 * An MPEG-TS of `seconds` of 25 fps video (a keyframe each second) and 24 kb/s mono AAC, which ffmpeg packs
 * into PES packets of about 0.75 s of frames.
 */
function lowRateTs(file: string, seconds: number): void {
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds), '-c:v', 'libx264', '-g', '25', '-bf', '0', '-c:a', 'aac', '-b:a', '24k', '-ac', '1', file]);
}

test('an MPEG-TS whose audio PES packets hold about a second of frames (24 kb/s): each audio frame in the fragment of the last keyframe before it, as ffprobe times them, and as in the same recording in MP4', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ts-audio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'low-rate.ts');
  lowRateTs(file, 6);
  const packets = ffprobePackets(file);
  const keyframeTimes = packets.filter((p) => p.codec_type === 'video' && p.flags.startsWith('K')).map((p) => Number(p.pts_time) * 1000);
  const audioTimes = packets.filter((p) => p.codec_type === 'audio').map((p) => Number(p.pts_time) * 1000);
  const report = inspectJson(file, '--frames', '--checks');
  assert.deepEqual(report.issues, []);
  const frames = report.frames ?? [];
  const audio = frames.filter((f) => f.track === 257);
  assert.deepEqual(audio.map((f) => f.ptsMs.toFixed(3)), audioTimes.map((time) => time.toFixed(3)));
  const expected = audio.map((f) => keyframeTimes.reduce((found, time, k) => (time <= f.ptsMs + 0.001 ? k : found), 0));
  assert.deepEqual(audio.map((f) => f.fragment), expected);
  // ffmpeg writes the audio in PES packets of up to 2930 bytes, 0.75 s of frames here: in file order, many
  // would fall into the wrong fragment.
  const videoKeyframes = frames.filter((f) => f.track === 256 && f.keyframe);
  const inFileOrder = audio.map((f) => videoKeyframes.filter((key) => key.offset < f.offset).length - 1);
  assert.ok(inFileOrder.filter((fragment, k) => fragment !== expected[k]).length > 20);
  assert.deepEqual(report.fragments.slice(1).map((f) => f.startMs?.toFixed(3)), keyframeTimes.slice(1).map((time) => time.toFixed(3)));
  // The same recording in MP4 (as kvs-put would send either): the same fragments, its clock 1.4 s earlier.
  const mp4 = join(dir, 'low-rate.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-c', 'copy', mp4]);
  const fromMp4 = inspectJson(mp4);
  assert.equal(fromMp4.fragments.length, report.fragments.length);
  report.fragments.forEach((fragment, k) => {
    const other = fromMp4.fragments[k];
    const start = (fragments: typeof report.fragments, f = fragments[k]) => (f?.startMs ?? NaN) - (fragments[0]?.startMs ?? NaN);
    // Within a millisecond: the MP4 keeps the times in its tracks' timescales, rounded from 90 kHz.
    assert.ok(Math.abs(start(report.fragments) - start(fromMp4.fragments)) < 1 && Math.abs((fragment.durationMs ?? NaN) - (other?.durationMs ?? NaN)) < 1, `fragment ${k}: ${JSON.stringify([fragment, other])}`);
    assert.equal(fragment.frameCount, other?.frameCount, `fragment ${k}`);
  });
});

test('audio-only MPEG-TS and MP4 of 20 s: fragments of 2 s, as kvs-put cuts them, not one fragment KVS would reject; an audio-only MKV with 12 s clusters is told to cut clusters', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-audio-only-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of ['audio.ts', 'audio.mp4']) {
    const file = join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=20', '-c:a', 'aac', file]);
    const result = kvsInspect(['--json', '--frames', '--checks', file]);
    assert.equal(result.status, 0, result.stdout.slice(0, 2000));
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.deepEqual(report.issues, [], name);
    // Every frame is ffprobe's packet, in the fragment its time falls in.
    const packets = ffprobePackets(file);
    assert.equal(report.frames?.length, packets.length, name);
    (report.frames ?? []).forEach((f, k) => assert.ok(Math.abs(f.ptsMs - Number(packets[k]?.pts_time) * 1000) < 0.02, `${name} frame ${k}: ${f.ptsMs} ms`));
    assert.equal(report.fragments.length, 10, name);
    for (const fragment of report.fragments.slice(0, -1)) assert.ok(Math.abs((fragment.durationMs ?? 0) - 2020) < 25, `${name}: ${JSON.stringify(fragment)}`);
    if (name === 'audio.mp4') {
      // kvs-put's remux of the MP4 has the same clusters: frames per fragment alike.
      const remuxed = join(dir, 'audio-remuxed.mkv');
      writeFileSync(remuxed, mp4ToMkv(bytesSource(new Uint8Array(readFileSync(file)))).bytes);
      assert.deepEqual(inspectJson(remuxed).fragments.map((f) => f.frameCount), report.fragments.map((f) => f.frameCount));
    }
  }
  // An audio-only MKV whose clusters last 12 s: too long, and the hint is about clusters, not keyframes.
  const longClusters = join(dir, 'audio-12s-clusters.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=24', '-c:a', 'aac', '-cluster_time_limit', '12000', '-cluster_size_limit', '100000000', longClusters]);
  const checked = kvsInspect(['--json', '--checks', longClusters]);
  assert.equal(checked.status, 2);
  const tooLong = (JSON.parse(checked.stdout) as JsonReport).issues;
  assert.deepEqual(tooLong.map((found) => found.code), ['FRAGMENT_TOO_LONG', 'FRAGMENT_TOO_LONG']);
  assert.match(tooLong[0]?.hint ?? '', /^Start a new cluster at least every 10 s/);
});

test('a TS whose 33-bit clock wraps mid-file (26.5 h): times go on as ffprobe reads them, with no false timing errors', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-wrap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'wrap.ts');
  // 2^33 / 90 kHz = 95 443.72 s: the clock starts 2.4 s before it wraps.
  execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mkv`, '-c', 'copy', '-output_ts_offset', '95441.3', '-f', 'mpegts', file]);
  const result = kvsInspect(['--json', '--frames', '--checks', file]);
  assert.equal(result.status, 0, result.stdout);
  const report = JSON.parse(result.stdout) as JsonReport;
  assert.deepEqual(report.issues.map((i) => [i.severity, i.code]), [['info', 'TS_TIMESTAMP_WRAP']]);
  // ffprobe moves the times before the wrap back by 2^33 instead of those after it forward.
  const period = 2 ** 33 / 90;
  const video = (report.frames ?? []).filter((frame) => frame.track === report.tracks[0]?.number);
  const theirs = ffprobePackets(file).filter((packet) => packet.stream_index === 0);
  assert.equal(video.length, theirs.length);
  assert.ok(theirs.some((p) => Number(p.pts_time) < 0) && theirs.some((p) => Number(p.pts_time) > 0), 'the file crosses the wrap');
  video.forEach((frame, i) => assert.ok(Math.abs(frame.ptsMs - Number(theirs[i]?.pts_time) * 1000 - period) < 0.01, `frame ${i}: ${frame.ptsMs} ms`));
  assert.deepEqual(report.fragments.map((f) => f.keyframeStart), [true, true]);
  assert.ok(report.fragments.every((f) => f.durationMs !== null && f.durationMs < 1100), JSON.stringify(report.fragments));
});

test('MPEG audio, AC-3, AAC in LATM and Opus in MPEG-TS: a frame row per frame, with ffprobe\'s times, sizes, sample rate and channels', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ts-audio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const encodings = [
    { encoder: ['-c:a', 'mp2', '-ar', '48000', '-ac', '2'], name: 'MPEG-1 Audio Layer II', codec: 'mp4a.6B' },
    { encoder: ['-c:a', 'libmp3lame', '-q:a', '4', '-ar', '44100', '-ac', '2'], name: 'MPEG-1 Audio Layer III', codec: 'mp4a.6B' }, // VBR: the bitrate changes from frame to frame
    { encoder: ['-c:a', 'libmp3lame', '-ar', '22050', '-ac', '1'], name: 'MPEG-2 Audio Layer III', codec: 'mp4a.69' }, // 576 samples per frame
    { encoder: ['-c:a', 'ac3', '-ar', '44100', '-ac', '6'], name: 'AC-3', codec: 'ac-3' }, // frames of two sizes at 44.1 kHz; 5.1 with LFE
    { encoder: ['-c:a', 'eac3', '-ar', '32000', '-ac', '1'], name: 'E-AC-3', codec: 'ec-3' },
    { encoder: ['-c:a', 'aac', '-ar', '44100', '-ac', '1', '-mpegts_flags', 'latm'], name: 'AAC LC (LATM)', codec: 'mp4a.40.2' }, // stream_type 0x11: LOAS frames
    // 20 ms packets, ~5 to a PES, each after an opus_control_header (the first with a start trim); the
    // channel count is in the PMT's descriptor; ffprobe's packet is the Opus packet, without that header
    { encoder: ['-c:a', 'libopus', '-ac', '1'], name: 'Opus', codec: 'opus' },
  ];
  for (const { encoder, name, codec } of encodings) {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.ts`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', ...encoder, '-f', 'mpegts', file]);
    const report = inspectJson(file, '--frames');
    const [stream] = ffprobeStreams(file);
    const [track] = report.tracks;
    assert.deepEqual([track?.codecName, track?.sampleRate, track?.channels], [name, Number(stream?.sample_rate), stream?.channels], name);
    assert.equal(track?.codec, codec, name);
    const ours = report.frames ?? [];
    const theirs = ffprobePackets(file);
    assert.equal(ours.length, theirs.length, name);
    ours.forEach((frame, i) => {
      assert.ok(Math.abs(frame.ptsMs - Number(theirs[i]?.pts_time) * 1000) < 0.5, `${name} frame ${i} pts ${frame.ptsMs} vs ${theirs[i]?.pts_time}`);
      assert.equal(frame.size, Number(theirs[i]?.size), `${name} frame ${i} size`);
    });
    assert.deepEqual(report.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE'], name);
    // AAC in LATM is still AAC: its framing is what KVS cannot take.
    const framing = /LATM/.test(name) ? /is AAC in LATM\/LOAS framing, which KVS HLS\/DASH\/GetClip cannot package/ : /is not a codec KVS HLS\/DASH\/GetClip can package/;
    assert.match(report.issues[0]?.message ?? '', framing, name);
  }

  // A frame header whose sync is gone (its first byte zeroed): its length still leads to the next frame,
  // so the frame keeps its row, reported at its byte. A header with more of it gone (its first four bytes:
  // no valid layer) is no frame: the rest of its PES is one row.
  for (const { name, code, headerBytes } of [
    { name: 'MPEG-1 Audio Layer II', code: 'MPEG_AUDIO', headerBytes: 4 },
    { name: 'AC-3', code: 'AC3', headerBytes: 6 },
    { name: 'AAC LC (LATM)', code: 'LATM', headerBytes: 3 },
  ]) {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.ts`);
    const clean = inspectJson(file, '--frames');
    const third = clean.frames?.[2];
    assert.ok(third && third.offset % 188 < 188 - headerBytes, `${name}: its header within one TS packet`);
    const rows = (report: JsonReport) => report.frames?.map((f) => [f.offset, f.size, f.ptsMs]);
    const syncGone = Buffer.from(readFileSync(file));
    syncGone[third.offset] = 0;
    const damaged = inspectJson(written(dir, `${code}-sync.ts`, syncGone), '--frames');
    assert.deepEqual(damaged.issues.filter((found) => found.code !== 'CODEC_NOT_PLAYABLE').map((found) => [found.severity, found.code, found.offset]), [['warning', `${code}_SYNC_DAMAGED`, third.offset]], name);
    assert.deepEqual(rows(damaged), rows(clean), name);
    const headerGone = Buffer.from(readFileSync(file));
    headerGone.fill(0, third.offset, third.offset + headerBytes);
    const broken = inspectJson(written(dir, `${code}-header.ts`, headerGone), '--frames');
    assert.deepEqual(broken.issues.filter((found) => found.code !== 'CODEC_NOT_PLAYABLE').map((found) => [found.code, found.offset]), [[`${code}_FRAME_INVALID`, third.offset]], name);
    const row = broken.frames?.[2];
    assert.deepEqual(row && [row.offset, row.ptsMs], [third.offset, third.ptsMs], name);
    // (an AC-3 PES holds one frame; the others several)
    assert.ok((row?.size ?? 0) >= third.size && (broken.frames?.length ?? 0) <= (clean.frames?.length ?? 0), `${name}: the rest of that PES is one row`);
  }
});

test("an MPEG-TS track's offset is its PMT entry (stream_type, then the PID), where the track's issues point", () => {
  const file = `${FIXTURES}/audio-mp2-ac3-latm.ts`;
  const bytes = readFileSync(file);
  const report = inspectJson(file);
  // ffprobe's stream ids are the PIDs; the PMT entry at each track's offset names that PID.
  const pids = ffprobeStreams(file).map((stream) => Number(stream.id));
  assert.deepEqual(report.tracks.map((track) => track.number), pids);
  for (const track of report.tracks) {
    const at = track.offset ?? -1;
    const entry = [bytes[at], (((bytes[at + 1] ?? 0) & 0x1f) << 8) | (bytes[at + 2] ?? 0)];
    assert.deepEqual(entry, [Number.parseInt(track.codecId.replace('stream_type ', ''), 16), track.number], `track ${track.number} at ${at}`);
  }
  const notPlayable = report.issues.filter((found) => found.code === 'CODEC_NOT_PLAYABLE').map((found) => found.offset);
  assert.deepEqual(notPlayable, report.tracks.map((track) => track.offset));
});

test('AAC in MPEG-TS: an ADTS header with its syncword damaged keeps its frame; one that is no header is reported at its byte, once', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-adts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const plain = inspectJson(`${FIXTURES}/h264-aac.ts`, '--frames');
  const audioOf = (report: JsonReport) => (report.frames ?? []).filter((frame) => frame.track === plain.tracks[1]?.number);
  const audio = audioOf(plain);
  const [first, second, third] = [audio[0], audio[1], audio[2]];
  assert.ok(first && second && third && third.offset > second.offset, 'frames of one PES');
  assert.ok(first.offset % 188 < 180 && third.offset % 188 < 180, "their 7-byte headers within one TS packet");
  const rows = (report: JsonReport) => audioOf(report).map((f) => [f.offset, f.size, f.ptsMs]);

  // The syncword of the PID's first frame, and of a frame inside a PES, zeroed: their frame_length still
  // leads to the next header. (ffprobe's packets are those of the clean file for the second; for the
  // first it drops 20 frames.)
  for (const frame of [first, third]) {
    const bytes = readFileSync(`${FIXTURES}/h264-aac.ts`);
    bytes[frame.offset] = 0;
    const report = inspectJson(written(dir, `sync-${frame.offset}.ts`, bytes), '--frames');
    assert.deepEqual(report.issues.map((i) => [i.severity, i.code, i.offset]), [['warning', 'ADTS_SYNC_DAMAGED', frame.offset]]);
    assert.match(report.issues[0]?.message ?? '', /^PID \d+: an ADTS header at PES byte \d+ has 0x00F1 where its syncword 0xFFF should be; the frame length it gives leads to the next frame, so it is read as a frame \(a decoder may drop it\)$/);
    assert.deepEqual(rows(report), rows(plain));
  }

  // The header's first six bytes zeroed, frame_length with them: no frame there.
  const bytes = readFileSync(`${FIXTURES}/h264-aac.ts`);
  bytes.fill(0, third.offset, third.offset + 6);
  const file = join(dir, 'broken-adts.ts');
  writeFileSync(file, bytes);
  const report = inspectJson(file, '--frames');
  assert.deepEqual(report.issues.map((i) => [i.code, i.offset]), [['ADTS_FRAME_INVALID', third.offset]]);
  const broken = audioOf(report);
  assert.ok(broken.length < audio.length, 'the rest of that PES is one row');
  assert.deepEqual(broken[2] && [broken[2].offset, broken[2].ptsMs], [third.offset, third.ptsMs]);

  // The same header with its sampling_frequency_index changed (48 to 44.1 kHz): a format change.
  const changed = readFileSync(`${FIXTURES}/h264-aac.ts`);
  changed[third.offset + 2] = ((changed[third.offset + 2] ?? 0) & ~0x3c) | (4 << 2);
  const changedFile = join(dir, 'changed-adts.ts');
  writeFileSync(changedFile, changed);
  assert.deepEqual(inspectJson(changedFile).issues.map((i) => [i.code, i.offset]), [['ADTS_FORMAT_CHANGED', third.offset]]);
});

test('M2TS (192-byte packets) and a TS capture that starts mid-packet are read as MPEG-TS', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-m2ts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const plain = inspectJson(`${FIXTURES}/h264-aac.ts`, '--frames');
  const m2ts = join(dir, 'clip.m2ts');
  execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.ts`, '-c', 'copy', '-f', 'mpegts', '-mpegts_m2ts_mode', '1', m2ts]);
  assert.equal(readFileSync(m2ts)[4], 0x47, 'a 4-byte time code before each sync byte');
  const fromM2ts = inspectJson(m2ts, '--frames');
  assert.equal(fromM2ts.format, 'mpeg-ts');
  assert.equal(fromM2ts.tracks[0]?.codec, plain.tracks[0]?.codec);
  assert.equal(fromM2ts.frames?.length, plain.frames?.length);
  // ffmpeg's M2TS mode writes the AAC as stream_type 0x06 (PES private data) with no descriptor: the ADTS
  // frames say what it is, as ffprobe finds too.
  assert.equal(ffprobeStreams(m2ts)[1]?.codec_name, 'aac');
  const audio = fromM2ts.tracks[1];
  assert.deepEqual([audio?.codecId, audio?.kind, audio?.family, audio?.codec, audio?.sampleRate], ['stream_type 0x06', 'audio', 'aac', plain.tracks[1]?.codec, plain.tracks[1]?.sampleRate]);
  // The 4-byte timecode before each packet is the format's, not stray bytes; no codec is unplayable.
  assert.deepEqual(fromM2ts.issues.map((i) => i.code), plain.issues.map((i) => i.code));

  const cut = join(dir, 'cut.ts');
  writeFileSync(cut, readFileSync(`${FIXTURES}/h264-aac.ts`).subarray(100));
  const fromCut = inspectJson(cut);
  assert.equal(fromCut.format, 'mpeg-ts');
  assert.deepEqual(fromCut.issues.find((i) => i.code === 'TS_LEADING_BYTES')?.message, '88 bytes before the first sync byte');
});

/** Two recordings of 2 s, 320x240 and 640x360 (same encoder settings otherwise), back to back in one file. */
function concatenated(extension: 'mp4' | 'ts', sizes: [string, string], dir: string): string {
  const parts = sizes.map((size, index) => {
    const part = join(dir, `part${index}.${extension}`);
    const mux = extension === 'mp4' ? ['-movflags', '+frag_keyframe+empty_moov+default_base_moof'] : [];
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=${size}:r=25:d=2`, '-c:v', 'libx264', '-g', '25', '-bf', '0', ...mux, '-y', part]);
    return readFileSync(part);
  });
  const file = join(dir, `joined-${sizes.join('-')}.${extension}`);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

test('recordings of different sizes back to back: the codec private data change is found, in fMP4 and in TS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'joined-'));
  try {
    const mp4 = inspectJson(concatenated('mp4', ['320x240', '640x360'], dir));
    const changed = mp4.issues.filter((i) => i.code === 'CODEC_PRIVATE_CHANGED');
    assert.equal(changed.length, 1);
    const second = mp4.issues.find((i) => i.code === 'MOOV_REPEATED');
    assert.ok(second && (changed[0]?.offset ?? 0) > second.offset, 'at the second moov avcC');
    assert.match(changed[0]?.message ?? '', /^Track 1 changes its codec private data in the moov at byte \d+/);
    // The time going back between the recordings is its own error, not B-frames.
    assert.ok(mp4.issues.some((i) => i.code === 'TIMECODE_BACKWARDS'));
    assert.ok(!mp4.issues.some((i) => i.code === 'B_FRAMES'));
    // The same recording twice: nothing changed.
    const same = inspectJson(concatenated('mp4', ['320x240', '320x240'], dir));
    assert.ok(!same.issues.some((i) => i.code === 'CODEC_PRIVATE_CHANGED'));

    // MPEG-TS carries its parameter sets in band: the new SPS differs from the first one.
    const ts = inspectJson(concatenated('ts', ['320x240', '640x360'], dir));
    const differs = ts.issues.filter((i) => i.code === 'INBAND_PARAMETER_SET_DIFFERS');
    assert.ok(differs.some((i) => /In-band SPS differs/.test(i.message)), JSON.stringify(ts.issues.map((i) => i.code)));
    // Judging every frame: one issue per parameter set kind, counted in frames (the second recording's two keyframes).
    const everyFrame = inspectJson(concatenated('ts', ['320x240', '640x360'], dir), '--frames').issues.filter((i) => i.code === 'INBAND_PARAMETER_SET_DIFFERS');
    assert.deepEqual(everyFrame.map((i) => i.message), ['In-band SPS differs from the one in the codec private data. (track 256; seen in 2 frames)']);
    assert.ok(!ts.issues.some((i) => i.code === 'B_FRAMES'));
    assert.ok(!inspectJson(concatenated('ts', ['320x240', '320x240'], dir)).issues.some((i) => i.code === 'INBAND_PARAMETER_SET_DIFFERS'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two TS recordings with audio joined end to end: each one\'s audio placed by time among its own fragments, not all in file order because time goes back at the join', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-joined-audio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const part = join(dir, 'part.ts');
  lowRateTs(part, 3);
  const bytes = readFileSync(part);
  const file = join(dir, 'joined.ts');
  writeFileSync(file, Buffer.concat([bytes, bytes]));
  const report = inspectJson(file, '--frames');
  assert.ok(report.issues.some((found) => found.code === 'TIMECODE_BACKWARDS'), 'the time going back at the join is an error of its own');
  const frames = report.frames ?? [];
  const keyframes = ffprobePackets(file).filter((packet) => packet.codec_type === 'video' && packet.flags.startsWith('K')).map((packet) => ({ offset: Number(packet.pos), ptsMs: Number(packet.pts_time) * 1000 }));
  assert.equal(keyframes.length, 6, 'ffprobe\'s keyframes');
  assert.equal(report.fragments.length, 6);
  assert.deepEqual(report.fragments.map((f) => f.frameCount), report.fragments.map((_, k) => report.fragments[k % 3]?.frameCount), 'both recordings cut alike');
  for (const frame of frames.filter((f) => f.track === 257)) {
    const recording = frame.offset < bytes.length ? 0 : 3;
    const own = keyframes.slice(recording, recording + 3).map((keyframe) => keyframe.ptsMs);
    const expected = recording + own.reduce((found, time, k) => (time <= frame.ptsMs ? k : found), 0);
    assert.equal(frame.fragment, expected, `audio at byte ${frame.offset}, ${frame.ptsMs} ms`);
  }
  for (const fragment of report.fragments) assert.ok((fragment.durationMs ?? Infinity) < 1100, `fragment ${fragment.index}: ${fragment.durationMs} ms`);
});

/** Where mp4box.js (an independent reader) finds the moov and each trak, by track_ID. */
function moovLayout(bytes: Uint8Array): { moov: number; trak: Map<number, number> } {
  const file = createFile(true);
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0));
  file.flush();
  const moov = (file as unknown as { moov: { start: number; traks: { start: number; tkhd: { track_id: number } }[] } }).moov;
  return { moov: moov.start, trak: new Map(moov.traks.map((trak) => [trak.tkhd.track_id, trak.start])) };
}

test('fMP4 init segments joined end to end that change a track\'s codec (AAC, then Opus, then encrypted): each new codec is judged at its trak, as mp4box.js places it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-moov-codec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fragmented = ['-movflags', '+frag_keyframe+empty_moov+default_base_moof'];
  const part = (name: string, audioCodec: string, offsetS: number) => {
    const file = join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-g', '25', '-bf', '0', '-c:a', audioCodec, '-output_ts_offset', `${offsetS}`, ...fragmented, file]);
    return file;
  };
  const aac = part('aac.mp4', 'aac', 0);
  const opus = part('opus.mp4', 'libopus', 1);
  const encrypted = join(dir, 'cenc.mp4');
  const key = '00112233445566778899aabbccddeeff';
  execFileSync('ffmpeg', ['-v', 'error', '-i', aac, '-c', 'copy', '-output_ts_offset', '2', '-encryption_scheme', 'cenc-aes-ctr', '-encryption_key', key, '-encryption_kid', key, ...fragmented, encrypted]);
  assert.deepEqual(ffprobeStreams(opus).map((stream) => stream.codec_name), ['h264', 'opus']);
  const aacBytes = new Uint8Array(readFileSync(aac));
  const opusBytes = new Uint8Array(readFileSync(opus));
  const encryptedBytes = new Uint8Array(readFileSync(encrypted));
  const joined = join(dir, 'joined.mp4');
  writeFileSync(joined, Buffer.concat([aacBytes, opusBytes, encryptedBytes]));

  const report = inspectJson(joined);
  const opusAt = moovLayout(opusBytes);
  const encryptedAt = moovLayout(encryptedBytes);
  const encryptedStart = aacBytes.length + opusBytes.length;
  const judged = report.issues.filter((i) => i.code === 'CODEC_NOT_PLAYABLE' || i.code === 'TRACK_ENCRYPTED');
  assert.deepEqual(judged.map((i) => [i.code, i.offset]), [
    ['CODEC_NOT_PLAYABLE', aacBytes.length + (opusAt.trak.get(2) ?? 0)],
    ['TRACK_ENCRYPTED', encryptedStart + (encryptedAt.trak.get(1) ?? 0)],
    ['TRACK_ENCRYPTED', encryptedStart + (encryptedAt.trak.get(2) ?? 0)],
  ]);
  assert.equal(judged[0]?.message.split(' is not')[0], `Track 2 (Opus; fragment 1, as declared in the moov at byte ${aacBytes.length + opusAt.moov})`);
  assert.match(judged[1]?.message ?? '', new RegExp(`^Track 1 \\(fragment 2, as declared in the moov at byte ${encryptedStart + encryptedAt.moov}\\) is encrypted \\(scheme 'cenc'\\)`));
});

test('a NAL problem in an MPEG-TS frame is reported at its byte in the file, past the TS packet headers', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ts-nal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}/h264-aac.ts`));
  // The IDR slices' NAL headers (00 00 01 65) that lie after the first TS packet of their PES.
  const idrs: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i++) if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1 && bytes[i + 3] === 0x65) idrs.push(i + 3);
  const report = inspectJson(`${FIXTURES}/h264-aac.ts`, '--frames');
  const pesStarts = (report.frames ?? []).filter((f) => f.track === 256).map((f) => f.offset);
  const at = idrs.find((offset) => {
    const pes = Math.max(...pesStarts.filter((start) => start < offset));
    return offset - pes > 188;
  });
  assert.ok(at !== undefined, 'an IDR slice header beyond its PES first packet');
  bytes[at] = 0xe5; // forbidden_zero_bit set
  const damaged = join(dir, 'forbidden.ts');
  writeFileSync(damaged, bytes);
  const found = inspectJson(damaged, '--frames').issues.filter((i) => i.code === 'NAL_FORBIDDEN_BIT');
  assert.deepEqual(found.map((i) => i.offset), [at]);
});

test("fMP4 whose second fragment's tfdt is moved 1 s later or 0.5 s earlier: a gap or an overlap at that fragment, said once; 20 ms later: a note per track", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-tfdt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const source = `${FIXTURES}/h264-aac-frag.mp4`;
  const original = readFileSync(source);
  const report = inspectJson(source);
  const second = report.fragments[1];
  assert.ok(second);
  const timescale = new Map(report.tracks.map((track) => [track.number, track.timescale ?? 0]));
  /** The fixture with every tfdt (version 1) of the second fragment moved by `seconds` in its track's timescale. */
  const shifted = (name: string, seconds: number) => {
    const bytes = Buffer.from(original);
    for (let at = original.indexOf('tfdt', second.offset); at >= 0; at = original.indexOf('tfdt', at + 4)) {
      assert.equal(original[at + 4], 1, 'tfdt version 1');
      const trackId = original.readUInt32BE(original.lastIndexOf('tfhd', at) + 8);
      bytes.writeBigUInt64BE(original.readBigUInt64BE(at + 8) + BigInt(seconds * (timescale.get(trackId) ?? 0)), at + 8);
    }
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return inspectJson(file).issues;
  };
  assert.deepEqual(report.issues, []);
  const gap = shifted('gap.mp4', 1);
  assert.deepEqual(gap.map((found) => [found.code, found.offset]), [['FRAGMENT_GAP', second.offset]]);
  assert.match(gap[0]?.message ?? '', /starts 1000 ms after its frames in the previous fragment end/);
  const overlap = shifted('overlap.mp4', -0.5);
  assert.deepEqual(overlap.map((found) => [found.code, found.offset]), [['FRAGMENT_OVERLAP', second.offset]]);
  assert.match(overlap[0]?.message ?? '', /starts 500 ms before its frames in the previous fragment end/);
  // Under the 50 ms limit: the reader's note that each tfdt does not continue its track, in ticks and ms.
  const small = shifted('small-gap.mp4', 0.02);
  assert.deepEqual(small.map((found) => [found.severity, found.code]), [['info', 'FRAGMENT_TIME_GAP'], ['info', 'FRAGMENT_TIME_GAP']]);
  for (const found of small) {
    assert.ok(found.offset > second.offset && found.offset < second.offset + second.size);
    assert.match(found.message, /^track [12]: tfdt \d+ is \d+ \(20 ms\) after the end of the previous fragment \(\d+\)$/);
  }
});

test('audio and video cut at video keyframes run on without a break: no gap or overlap between fragments (TS, MP4, MKV with B-frames)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-continuity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const source = ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '3'];
  const ts = join(dir, 'av.ts');
  const mkv = join(dir, 'av-bframes.mkv');
  const mp4 = join(dir, 'av-bframes.mp4');
  execFileSync('ffmpeg', ['-v', 'error', ...source, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '25', '-bf', '0', '-c:a', 'aac', ts]);
  execFileSync('ffmpeg', ['-v', 'error', ...source, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '25', '-bf', '2', '-c:a', 'aac', mkv]);
  execFileSync('ffmpeg', ['-v', 'error', '-i', mkv, '-c', 'copy', mp4]);
  for (const file of [ts, mkv, mp4]) {
    const report = inspectJson(file);
    assert.equal(report.fragments.length, 3, file);
    // (Each fragment's audio starts before the video of the one before it ends: compared across tracks, the
    // fragments overlapped by 71–83 ms.)
    assert.deepEqual(report.issues.filter((found) => /FRAGMENT_(GAP|OVERLAP)/.test(found.code)), [], file);
  }
});

test('an H.264 VUI with fixed_frame_rate_flag 0 and a 90 kHz tick gives only a highest rate: the rate and durations come from the container or the frames', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-vui-rate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const mkv = join(dir, 'tb.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=25', '-frames:v', '5', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-enc_time_base', '1:90000', mkv]);
  for (const [ext, format] of [['mp4', 'mp4'], ['ts', 'mpegts']] as const) execFileSync('ffmpeg', ['-v', 'error', '-i', mkv, '-c', 'copy', '-f', format, join(dir, `tb.${ext}`)]);
  for (const file of [mkv, join(dir, 'tb.mp4'), join(dir, 'tb.ts')]) {
    const track = inspectJson(file).tracks[0];
    const vui = track?.codecPrivate?.sps?.[0]?.vui_parameters as Record<string, unknown> | undefined;
    assert.deepEqual([vui?.num_units_in_tick, vui?.time_scale, vui?.fixed_frame_rate_flag], [1, 180_000, 0], file);
    const [num, den] = (ffprobeStreams(file)[0]?.r_frame_rate ?? '').split('/').map(Number);
    assert.equal(track?.frameRate, (num ?? 0) / (den ?? 1), file);
    assert.equal(inspectJson(file).fragments[0]?.durationMs, 200, `${file}: 5 frames of 40 ms`);
  }
});

test('MPEG-TS frame rates taken from the frames are whole 90 kHz ticks: 30 and 30000/1001 exactly, as ffprobe gives them', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ts-rate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const rate of ['30', '30000/1001']) {
    const file = join(dir, 'rate.ts');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=128x96:rate=${rate}`, '-t', '1', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', file]);
    const [num, den] = (ffprobeStreams(file)[0]?.r_frame_rate ?? '').split('/').map(Number);
    assert.equal(`${num}/${den}`, rate.includes('/') ? rate : `${rate}/1`);
    assert.equal(inspectJson(file).tracks[0]?.frameRate, (num ?? 0) / (den ?? 1), rate);
  }
});

test('fMP4 whose moov also holds samples (frag_keyframe without empty_moov): the moov\'s GOP is a fragment of its own, before the moofs\'', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-moov-samples-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gop6s.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '14', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '150', '-bf', '0', '-movflags', 'frag_keyframe', file]);
  const report = inspectJson(file, '--frames');
  assert.equal(report.format, 'fragmented-mp4');
  // ffprobe's keyframes at 0, 6 and 12 s: one fragment per GOP, the first from the moov's samples.
  const keyframes = ffprobePackets(file).filter((packet) => packet.flags.startsWith('K')).map((packet) => Number(packet.pts_time) * 1000);
  assert.deepEqual(keyframes, [0, 6000, 12_000]);
  assert.deepEqual(report.fragments.map((fragment) => [fragment.startMs, fragment.durationMs, fragment.frameCount, fragment.keyframeStart]), [
    [0, 6000, 150, true],
    [6000, 6000, 150, true],
    [12_000, 2000, 50, true],
  ]);
  assert.equal(report.fragments[1]?.offset, readFileSync(file).indexOf('moof') - 4);
  assert.deepEqual(report.issues, [], 'no FRAGMENT_TOO_LONG: the moov GOP and the first moof\'s are 6 s each');
});

test('fMP4 samples whose sample_flags say no sample depends on them (sample_is_depended_on 2) are discardable frames', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-disposable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const source = `${FIXTURES}/h264-aac-frag.mp4`;
  const before = inspectJson(source, '--frames').frames ?? [];
  assert.ok(before.every((frame) => frame.discardable === undefined));
  // The first video traf's tfhd: default_sample_flags (tf_flags 0x20) after track_ID, duration and size.
  const bytes = readFileSync(source);
  const tfhd = bytes.indexOf('tfhd');
  assert.equal(bytes.readUInt32BE(tfhd + 8), 1, 'track 1');
  assert.equal(bytes.readUInt32BE(tfhd + 4) & 0x3b, 0x38, 'no base data offset or description index; default duration, size and flags');
  const flags = bytes.readUInt32BE(tfhd + 20);
  assert.equal((flags >>> 22) & 3, 0, 'sample_is_depended_on 0 (unknown)');
  bytes.writeUInt32BE((flags | (2 << 22)) >>> 0, tfhd + 20);
  const file = join(dir, 'disposable.mp4');
  writeFileSync(file, bytes);
  const frames = inspectJson(file, '--frames').frames ?? [];
  const video = frames.filter((frame) => frame.track === 1 && frame.fragment === 0);
  // The trun's first_sample_flags keeps the first frame as it was; the others take the default.
  assert.deepEqual(video.map((frame) => frame.discardable === true), video.map((_, i) => i > 0));
  assert.ok(frames.filter((frame) => frame.discardable).every((frame) => frame.track === 1 && frame.fragment === 0));
});

test('a TS with two programs whose clocks are 50 000 s apart: each keeps its own times, as ffprobe reads them; fragments follow the first, its audio placed by time', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-programs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'two-programs.ts');
  // Program 2's clock starts 50 000 s (more than half the 26.5-hour wrap) after program 1's.
  execFileSync('ffmpeg', [
    '-v', 'error', '-i', `${FIXTURES}/h264-aac.mkv`, '-itsoffset', '50000', '-i', `${FIXTURES}/h264-aac.mkv`,
    '-map', '0:v', '-map', '0:a', '-map', '1:v', '-map', '1:a', '-c', 'copy', '-program', 'title=A:st=0:st=1', '-program', 'title=B:st=2:st=3', '-f', 'mpegts', file,
  ]);
  const result = kvsInspect(['--json', '--frames', '--checks', file]);
  assert.equal(result.status, 0, result.stdout);
  const report = JSON.parse(result.stdout) as JsonReport;
  // Each stream's program as ffprobe reads the PMTs; the track checks take program 1's two (no TOO_MANY_TRACKS for the four).
  const probed = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_programs', '-of', 'json', file], { encoding: 'utf8' })) as { programs: { program_num: number; streams: { id: string }[] }[] };
  const programOf = new Map(probed.programs.flatMap((p) => p.streams.map((stream) => [Number(stream.id), p.program_num] as const)));
  assert.deepEqual(report.tracks.map((track) => [track.number, track.program]), report.tracks.map((track) => [track.number, programOf.get(track.number)]));
  assert.deepEqual(report.issues.map((i) => [i.severity, i.code]), [['info', 'TS_SEVERAL_PROGRAMS']]);
  assert.match(report.issues[0]?.message ?? '', /follow program 1\. A KVS stream carries the tracks of one: the track checks take program 1's streams, not PIDs 258, 259\.$/);
  const packets = ffprobePackets(file);
  for (const [index, track] of report.tracks.entries()) {
    const ours = (report.frames ?? []).filter((frame) => frame.track === track.number);
    const theirs = packets.filter((packet) => packet.stream_index === index);
    assert.equal(ours.length, theirs.length);
    ours.forEach((frame, i) => assert.ok(Math.abs(frame.ptsMs - Number(theirs[i]?.pts_time) * 1000) < 0.5, `track ${track.number} frame ${i}: ${frame.ptsMs} ms`));
  }
  // Program 1's audio in the fragment of the last of its keyframes (ffprobe's) at or before it, as in a TS of one program.
  const frames = report.frames ?? [];
  const keyframeTimes = packets.filter((packet) => packet.stream_index === 0 && packet.flags.startsWith('K')).map((packet) => Number(packet.pts_time) * 1000);
  assert.equal(keyframeTimes.length, report.fragments.length);
  const audio = frames.filter((frame) => frame.track === 257);
  assert.ok(audio.length > 0);
  assert.deepEqual(audio.map((frame) => frame.fragment), audio.map((frame) => keyframeTimes.reduce((found, time, k) => (time <= frame.ptsMs ? k : found), 0)));
  assert.ok(report.fragments.every((f) => f.durationMs !== null && f.durationMs < 1100 && (f.startMs ?? 0) < 10_000), JSON.stringify(report.fragments));
});

test('fMP4 with signed composition offsets and no edit list (trun version 1): presentation times as the file gives them, where ffprobe adds the largest negative offset to every pts', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-negative-cts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'negative-cts.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=2', '-c:v', 'libx264', '-bf', '2', '-use_editlist', '0', '-movflags', 'frag_keyframe+empty_moov+negative_cts_offsets', file]);
  const parsed = readIsoBmff(bytesSource(readFileSync(file)));
  const samples = parsed.tracks[0]?.samples;
  assert.ok(samples && parsed.tracks[0]?.edits.length === 0);
  const ctos = Array.from(samples.cto);
  const shift = -Math.min(0, ...ctos);
  assert.ok(shift > 0, 'some offsets are negative');
  const timescale = parsed.tracks[0]?.timescale ?? 0;
  const ours = inspectJson(file, '--frames').frames ?? [];
  const theirs = ffprobePackets(file);
  assert.equal(ours.length, theirs.length);
  ours.forEach((frame, i) => {
    // ISO/IEC 14496-12 8.6.1.3: CT(n) = DT(n) + CTTS(n)
    assert.ok(Math.abs(frame.ptsMs - (((samples.dts[i] ?? 0) + (ctos[i] ?? 0)) * 1000) / timescale) < 1e-6, `frame ${i}`);
    assert.ok(Math.abs(frame.dtsMs - Number(theirs[i]?.dts_time) * 1000) < 0.5, `frame ${i} dts`);
    assert.ok(Math.abs(frame.ptsMs + (shift * 1000) / timescale - Number(theirs[i]?.pts_time) * 1000) < 0.5, `frame ${i} pts`);
  });
});

test('fMP4 whose sample offsets miss the mdat by the sidx boxes inserted after them (ffmpeg 5.1 global_sidx): said with the distance, and the framing errors it causes blame the offsets, not the NAL adaptation', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-global-sidx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'global-sidx.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mkv`, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov+global_sidx', file]);
  const boxes = topLevelBoxes(readFileSync(file));
  const sidxBytes = boxes.filter((box) => box.type === 'sidx').reduce((sum, box) => sum + box.size, 0);
  assert.ok(sidxBytes > 0, 'ffmpeg wrote sidx boxes');
  // ffmpeg itself cannot decode the frames at those offsets.
  const decoded = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  assert.match(decoded.stderr, /Invalid NAL unit size/);
  const report = inspectJson(file);
  const misplaced = report.issues.filter((found) => found.code === 'SAMPLE_DATA_OUTSIDE_MDAT');
  assert.ok(misplaced.length > 0);
  for (const found of misplaced) assert.match(found.message, new RegExp(`the next mdat's data starts ${sidxBytes} bytes later`));
  const framing = report.issues.filter((found) => found.code.startsWith('NAL_'));
  assert.ok(framing.length > 0, JSON.stringify(report.issues.map((found) => found.code)));
  for (const found of framing) assert.match(found.hint ?? '', /^This frame's bytes are not inside any mdat \(see SAMPLE_DATA_OUTSIDE_MDAT\): its sample offsets point away/);
});

test('fMP4 whose audio run misses the mdat, with a video frame in Annex-B framing inside it: the video framing error keeps its own fix', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-misplaced-audio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = readFileSync(`${FIXTURES}/h264-aac-frag.mp4`);
  const file = readIsoBmff(bytesSource(bytes), { fragmentBoxes: true });
  const [videoTrun, audioTrun] = findBoxes(file.boxes, 'moof/traf/trun');
  const firstVideo = file.tracks.find((track) => track.kind === 'video')?.samples?.offset[0];
  assert.ok(videoTrun && audioTrun && firstVideo !== undefined);
  assert.equal(bytes.readUInt32BE(audioTrun.offset + 8) & 1, 1, 'the audio trun has a data_offset');
  bytes.writeInt32BE(8, audioTrun.offset + 16); // its samples now start 8 bytes into the moof
  bytes.writeUInt32BE(1, firstVideo); // the first NAL unit's length, now a start code
  const report = inspectJson(written(dir, 'misplaced-audio.mp4', bytes));
  assert.deepEqual(report.issues.map((found) => [found.code, found.offset]), [['SAMPLE_DATA_OUTSIDE_MDAT', audioTrun.offset], ['NAL_FRAMING_ANNEX_B', firstVideo]]);
  assert.match(report.issues[1]?.hint ?? '', /NAL_ADAPTATION_ANNEXB_NALS/);
});

test('CENC-encrypted tracks (encv/enca): said to be encrypted, with their scheme; their ciphertext frames are listed as ffprobe lists them, not judged', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-cenc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cenc.mp4');
  const key = '00112233445566778899aabbccddeeff';
  execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mp4`, '-c', 'copy', '-encryption_scheme', 'cenc-aes-ctr', '-encryption_key', key, '-encryption_kid', key, file]);
  const result = kvsInspect(['--json', '--frames', '--checks', file]);
  assert.equal(result.status, 0, result.stdout);
  const report = JSON.parse(result.stdout) as JsonReport;
  assert.deepEqual(report.tracks.map((track) => [track.codecId, track.family]), [['encv', 'h264'], ['enca', 'aac']]);
  const encrypted = report.issues.filter((i) => i.code === 'TRACK_ENCRYPTED');
  assert.equal(encrypted.length, 2);
  assert.match(encrypted[0]?.message ?? '', /^Track 1 is encrypted \(scheme 'cenc'\)/);
  assert.deepEqual(report.issues.filter((i) => i.code.startsWith('NAL_') || i.code.startsWith('FRAME_')), []);
  assert.equal(report.frames?.length, ffprobePackets(file).length);
  assert.ok(report.frames?.every((frame) => frame.nalTypes === undefined));
});

test('B-frames in fMP4 with a moof per frame (frag_every_frame, as chunked CMAF): reordered across moofs, reported as B-frames', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-every-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'every.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-main-bframes.mkv`, '-c', 'copy', '-movflags', 'frag_every_frame+empty_moov', file]);
  const report = inspectJson(file, '--frames');
  assert.ok(topLevelBoxes(readFileSync(file)).filter((box) => box.type === 'moof').length >= 50, 'a moof per frame');
  // the moofs after a keyframe's continue its fragment, as KVS would cut the stream
  assert.equal(report.fragments.length, report.frames?.filter((frame) => frame.keyframe).length);
  const found = report.issues.find((i) => i.code === 'B_FRAMES');
  assert.ok(found, JSON.stringify([...new Set(report.issues.map((i) => i.code))]));
  // the first frame presented before one decoded earlier, as ffprobe's times show it
  const packets = ffprobePackets(file);
  const first = packets.findIndex((p, i) => i > 0 && Number(p.pts_time) < Math.max(...packets.slice(0, i).map((q) => Number(q.pts_time))));
  assert.equal(found.offset, Number(packets[first]?.pos));
});

test('the container\'s pixel aspect ratio (MP4 pasp, Matroska display size) is ffprobe\'s, and one that is not the VUI\'s is a warning', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-aspect-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = (name: string) => join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', '-vf', 'setsar=4/3', '-c:v', 'libx264', path('both.mp4')]);
  // The VUI rewritten to 1:1, the pasp left at 4:3; the Matroska display size made 4:3 of 160x120 (square pixels).
  execFileSync('ffmpeg', ['-v', 'error', '-i', path('both.mp4'), '-c', 'copy', '-bsf:v', 'h264_metadata=sample_aspect_ratio=1/1', path('vui-square.mp4')]);
  execFileSync('ffmpeg', ['-v', 'error', '-i', path('both.mp4'), '-c', 'copy', path('both.mkv')]);
  execFileSync('mkvmerge', ['-q', '-o', path('display-square.mkv'), '--aspect-ratio', '0:4/3', path('both.mkv')]);
  const cases: [name: string, vui: [number, number], mismatch: boolean][] = [
    ['both.mp4', [4, 3], false],
    ['vui-square.mp4', [1, 1], true],
    ['both.mkv', [4, 3], false],
    ['display-square.mkv', [4, 3], true],
  ];
  for (const [name, vui, mismatch] of cases) {
    const report = inspectJson(path(name));
    const track = report.tracks[0];
    assert.equal(track?.containerAspectRatio?.join(':'), ffprobeStreams(path(name))[0]?.sample_aspect_ratio, name);
    assert.deepEqual(track?.sampleAspectRatio, vui, name);
    const found = report.issues.filter((i) => i.code === 'ASPECT_RATIO_MISMATCH');
    assert.equal(found.length, mismatch ? 1 : 0, name);
    if (mismatch) assert.match(found[0]?.message ?? '', new RegExp(`aspect ratio of ${track?.containerAspectRatio?.join(':')}, its SPS \\(VUI\\) ${vui.join(':')}:`));
  }
  assert.match(kvsInspect([path('vui-square.mp4')]).stdout, /160x120 {2}\(coded 160x128\) {2}container PAR 4:3 {2}10 fps/);
});

/** The top-level boxes of an ISO BMFF file: type, offset and size. */
function topLevelBoxes(bytes: Buffer): { type: string; offset: number; size: number }[] {
  const boxes = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(offset);
    boxes.push({ type: bytes.toString('latin1', offset + 4, offset + 8), offset, size });
    offset += size;
  }
  return boxes;
}

test('low-latency CMAF (a moof per frame, a styp per segment): a fragment per segment, as ffprobe\'s packets, with no false fragment errors', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ldash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '25', '-bf', '2',
    '-f', 'dash', '-ldash', '1', '-streaming', '1', '-frag_type', 'every_frame', '-seg_duration', '1', '-use_template', '1', '-use_timeline', '0', join(dir, 'out.mpd')]);
  const parts = ['init-stream0.m4s', 'chunk-stream0-00001.m4s', 'chunk-stream0-00002.m4s', 'chunk-stream0-00003.m4s'].map((name) => readFileSync(join(dir, name)));
  const file = join(dir, 'joined.mp4');
  writeFileSync(file, Buffer.concat(parts));
  const report = inspectJson(file, '--frames');
  const packets = ffprobePackets(file);
  assert.equal(report.frames?.length, packets.length);
  assert.equal(topLevelBoxes(readFileSync(file)).filter((box) => box.type === 'moof').length, packets.length, 'a moof per frame');
  // B-frame chunks come in decode order: as fragments of their own they would start before the one before.
  assert.deepEqual(report.fragments.map((f) => [f.startMs, f.durationMs, f.keyframeStart]), [[0, 1000, true], [1000, 1000, true], [2000, 1000, true]]);
  assert.deepEqual(report.issues.map((i) => i.code), ['B_FRAMES']);

  // A segment whose keyframe chunk is lost: the moof its styp opens is a fragment that starts without one.
  const second = parts[2] ?? Buffer.alloc(0);
  const [styp, firstMoof, firstMdat] = topLevelBoxes(second);
  assert.deepEqual([styp?.type, firstMoof?.type, firstMdat?.type], ['styp', 'moof', 'mdat']);
  const cut = Buffer.concat([second.subarray(0, firstMoof?.offset), second.subarray((firstMdat?.offset ?? 0) + (firstMdat?.size ?? 0))]);
  writeFileSync(file, Buffer.concat([parts[0] ?? cut, parts[1] ?? cut, cut, parts[3] ?? cut]));
  const broken = inspectJson(file);
  const opened = (parts[0]?.length ?? 0) + (parts[1]?.length ?? 0) + (firstMoof?.offset ?? 0);
  assert.equal(broken.fragments.length, 3);
  assert.deepEqual(broken.issues.filter((i) => i.code === 'FRAGMENT_NOT_KEYFRAME_START').map((i) => i.offset), [opened]);
});

test('an MP4 edit list of two media edits is reported where the elst is; one empty edit and one media edit is not', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-elst-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = readFileSync(`${FIXTURES}/h264-aac.mp4`);
  const elst = bytes.indexOf('elst') - 4; // the video track's: an empty edit (ffmpeg's start delay), then the media
  assert.deepEqual([bytes.readUInt32BE(elst + 12), bytes.readInt32BE(elst + 20), bytes.readInt32BE(elst + 32)], [2, -1, 0]);
  assert.deepEqual(inspectJson(`${FIXTURES}/h264-aac.mp4`).issues, []);
  bytes.writeInt32BE(0, elst + 20); // the first edit plays media too: the start shown twice
  const file = join(dir, 'two-edits.mp4');
  writeFileSync(file, bytes);
  const found = inspectJson(file).issues;
  assert.deepEqual(found.map((i) => [i.severity, i.code, i.offset]), [['warning', 'EDIT_LIST_NOT_APPLIED', elst]]);
  assert.match(found[0]?.message ?? '', /^Track 1's edit list has 2 media edits/);
});

test("an MP4 whose audio is track_ID 1 (ffmpeg, audio mapped first) is not said to misnumber its video: the MKV sent numbers video first; a second audio track is still not packaged", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-track-ids-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const remapped = (name: string, ...maps: string[]) => {
    const file = join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mp4`, ...maps.flatMap((map) => ['-map', map]), '-c', 'copy', file]);
    return inspectJson(file);
  };
  const audioFirst = remapped('audio-first.mp4', '0:a', '0:v');
  assert.deepEqual(audioFirst.tracks.map((track) => [track.number, track.kind]), [[1, 'audio'], [2, 'video']]);
  assert.deepEqual(audioFirst.issues, []);
  const twoAudio = remapped('two-audio.mp4', '0:a', '0:v', '0:a');
  assert.deepEqual(twoAudio.issues.map((found) => [found.code, found.offset]), [['TRACK_NOT_PACKAGED', twoAudio.tracks[2]?.offset]]);
  assert.match(twoAudio.issues[0]?.message ?? '', /^Track 3 \(audio\) will not be played: a KVS stream made of this MP4 would carry it as a further track/);
});

test('AAC with channel_configuration 0 (hexagonal: a program_config_element in each ADTS frame): in MPEG-TS its channels as ffprobe\'s and no AAC_CODEC_PRIVATE_LENGTH, which the derived AudioSpecificConfig is not; in MP4 the esds\'s is', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-pce-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const format of ['mpegts', 'mp4']) {
    const file = join(dir, `hexagonal.${format}`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1,aformat=channel_layouts=hexagonal', '-c:a', 'aac', '-f', format, file]);
    const report = inspectJson(file);
    const [track] = report.tracks;
    assert.deepEqual([track?.channels, track?.sampleRate], [ffprobeStreams(file)[0]?.channels, 48000], format);
    const codes = report.issues.map((found) => found.code);
    if (format === 'mpegts') {
      assert.deepEqual(codes, []);
      assert.equal(track?.codecPrivate?.fields.channel_configuration, 0);
    } else {
      assert.deepEqual(codes, ['AAC_CODEC_PRIVATE_LENGTH']);
    }
  }
});

test('a TS after up to 64 KiB of other bytes is read as MPEG-TS, as ffprobe reads it, with TS_LEADING_BYTES; after more, neither takes it for one', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-leading-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ts = readFileSync(`${FIXTURES}/h264-aac.ts`);
  const plain = inspectJson(`${FIXTURES}/h264-aac.ts`, '--frames');
  const m2ts = join(dir, 'clip.m2ts');
  execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.ts`, '-c', 'copy', '-f', 'mpegts', '-mpegts_m2ts_mode', '1', m2ts]);
  for (const [name, stream, junk] of [['ts', ts, 400], ['ts', ts, 60_000], ['m2ts', readFileSync(m2ts), 400]] as const) {
    const leading = new Uint8Array(junk);
    leading[10] = 0x47; // a stray sync byte, and another a packet on
    leading[198] = 0x47;
    const file = join(dir, `after-${junk}.${name}`);
    writeFileSync(file, Buffer.concat([leading, stream]));
    assert.ok(ffprobePackets(file).length > 0, `ffprobe reads ${file}`);
    const report = inspectJson(file, '--frames');
    assert.equal(report.format, 'mpeg-ts', file);
    assert.deepEqual(report.issues.map((found) => [found.code, found.message]), [['TS_LEADING_BYTES', `${junk} bytes before the first ${name === 'ts' ? 'sync byte' : 'M2TS packet'}`]], file);
    assert.deepEqual(report.frames?.map((frame) => frame.size), plain.frames?.map((frame) => frame.size), file);
    if (name === 'ts') assert.deepEqual(report.frames?.map((frame) => frame.offset), plain.frames?.map((frame) => frame.offset + junk), file);
  }
  const far = join(dir, 'after-70000.ts');
  writeFileSync(far, Buffer.concat([new Uint8Array(70_000), ts]));
  const result = kvsInspect(['--json', far]);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /no TS packets in the first 64 KiB/);
  assert.deepEqual(ffprobePackets(far), []);
});

test('MPEG audio, AAC in LATM and AC-3 as PES private data (stream_type 0x06, no descriptor, as in ffmpeg\'s M2TS): the frames say what it is, as ffprobe finds; a frame row per frame as its packets', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-private-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases = [
    { encoder: 'mp2', codecName: 'MPEG-1 Audio Layer II', flags: [] },
    { encoder: 'libmp3lame', codecName: 'MPEG-1 Audio Layer III', flags: [] },
    { encoder: 'aac', codecName: 'AAC LC (LATM)', flags: ['-mpegts_flags', '+latm'] },
  ].map(({ encoder, codecName, flags }) => {
    const file = join(dir, `${encoder}.m2ts`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '2', '-c:a', encoder, '-ac', '2', '-f', 'mpegts', '-mpegts_m2ts_mode', '1', ...flags, file]);
    return { file, codecName };
  });
  // AC-3 in M2TS is stream_type 0x81: our own writer puts it in a stream_type 0x06 PID, three frames to a PES.
  const ac3 = join(dir, 'tone.ac3');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '2', '-c:a', 'ac3', '-ac', '2', '-b:a', '192k', '-f', 'ac3', ac3]);
  const frames = readFileSync(ac3);
  const writer = new TsWriter([{ pid: 0x101, streamType: 0x06 }]);
  for (let at = 0, k = 0; at < frames.length; at += 3 * 768, k += 3) writer.pes(0x101, new Uint8Array(frames.subarray(at, at + 3 * 768)), { streamId: 0xbd, pts: 126_000 + k * 2880, declareLength: true });
  cases.push({ file: join(dir, 'ac3-private.ts'), codecName: 'AC-3' });
  writeFileSync(join(dir, 'ac3-private.ts'), writer.bytes());

  for (const { file, codecName } of cases) {
    const [stream] = ffprobeStreams(file);
    const report = inspectJson(file, '--frames');
    const [track] = report.tracks;
    assert.deepEqual([track?.codecId, track?.kind, track?.codecName, track?.sampleRate, track?.channels], ['stream_type 0x06', 'audio', codecName, Number(stream?.sample_rate), stream?.channels], file);
    const theirs = ffprobePackets(file);
    assert.deepEqual(report.frames?.map((frame) => frame.size), theirs.map((packet) => Number(packet.size)), file);
    assert.deepEqual(report.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE'], file);
    if (codecName.endsWith('(LATM)')) assert.match(report.issues[0]?.message ?? '', /is AAC in LATM\/LOAS framing/);
  }
});

test('an H.264 TS that starts mid-GOP: the parameter sets are found at its first keyframe, however far; a TS without any says so', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-midgop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const whole = join(dir, 'whole.ts');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=25', '-t', '8', '-c:v', 'libx264', '-preset', 'ultrafast', '-x264-params', 'keyint=100:min-keyint=100:scenecut=0', '-f', 'mpegts', whole]);
  const bytes = readFileSync(whole);
  const cut = (name: string, packets: number, end = bytes.length) => {
    const file = join(dir, name);
    writeFileSync(file, bytes.subarray(packets * 188, end));
    return file;
  };
  // From packet 73 (in frame 1): the next SPS comes with frame 100, 4 s on.
  const midGop = cut('mid-gop.ts', 73);
  const [stream] = ffprobeStreams(whole); // (ffprobe itself complains of the slices before the first SPS of the cut file)
  const [track] = inspectJson(midGop).tracks;
  assert.deepEqual([track?.codec?.slice(0, 4), track?.width, track?.height], ['avc1', stream?.width, stream?.height]);
  // Only the first 4 s, without their first packets: no SPS at all.
  const keyframe = inspectJson(whole, '--frames').frames?.filter((frame) => frame.keyframe)[1];
  assert.ok(keyframe, 'a second keyframe');
  const none = inspectJson(cut('no-sps.ts', 73, Math.floor((keyframe.offset - 200) / 188) * 188));
  assert.deepEqual(none.issues.filter((found) => found.code === 'TS_PARAMETER_SETS_MISSING').map((found) => [found.severity, found.offset]), [['warning', none.tracks[0]?.offset]]);
  assert.equal(none.tracks[0]?.width, undefined);
});

test('MPEG-TS H.264 at NTSC rates (x264 marks its timing a highest rate): 59.94 and 23.976 fps, as ffprobe\'s r_frame_rate', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ntsc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const rate of ['60000/1001', '24000/1001', '30']) {
    const file = join(dir, `${rate.replace('/', '-')}.ts`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=176x144:rate=${rate}`, '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', file]);
    const [numerator, denominator = '1'] = String(ffprobeStreams(file)[0]?.r_frame_rate).split('/');
    assert.equal(inspectJson(file).tracks[0]?.frameRate, Number(numerator) / Number(denominator), rate);
  }
});

test('a variable frame rate MP4 (frames of 40 ms, then of 120 ms): a fragment lasts to the end of its last frame by that frame\'s own duration, with no false gap', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-vfr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'vfr.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-t', '4', '-vf', "setpts='if(lt(N,50),N*0.04,2+(N-50)*0.12)/TB'", '-fps_mode', 'passthrough',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-force_key_frames', 'expr:gte(t,n_forced*1)', '-sc_threshold', '0', file]);
  const report = inspectJson(file, '--frames');
  // Each fragment from its first frame to the end of its last, by ffprobe's packet times and durations.
  const packets = ffprobePackets(file);
  const expected = report.fragments.map((fragment) => {
    const rows = packets.filter((_, i) => report.frames?.[i]?.fragment === fragment.index);
    const last = rows.at(-1);
    return Math.round((Number(last?.pts_time) + Number(last?.duration_time) - Number(rows[0]?.pts_time)) * 1000);
  });
  assert.ok(expected.some((ms) => ms > 1040), `a fragment of 120 ms frames: ${expected.join(', ')}`);
  assert.deepEqual(report.fragments.map((fragment) => Math.round(fragment.durationMs ?? 0)), expected);
  assert.deepEqual(report.issues, []);
});

test("MP4 audio its sample entry cannot describe: FLAC at 96 kHz (dfLa's STREAMINFO), mono Vorbis in mp4a (its identification header), MPEG-2 AAC (objectTypeIndication 0x67): named, with ffprobe's rate and channels", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-mp4-audio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const encode = (name: string, rate: number, channels: number, codec: string): string => {
    const file = join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=sample_rate=${rate}`, '-t', '1', '-ac', String(channels), '-c:a', codec, '-strict', '-2', file]);
    return file;
  };
  const flac = encode('flac-96k.mp4', 96000, 2, 'flac');
  const vorbis = encode('vorbis-mono.mp4', 22050, 1, 'libvorbis');
  // ffmpeg writes 0x40 for AAC; an MPEG-2 AAC writer's 0x67 in its place.
  const aac = readFileSync(encode('aac.mp4', 32000, 1, 'aac'));
  let at = aac.indexOf('esds') + 8;
  const skipDescriptorHeader = (): void => {
    at++;
    while ((aac[at++] ?? 0) & 0x80);
  };
  skipDescriptorHeader(); // ES_Descriptor
  at += 3; // ES_ID, flags
  skipDescriptorHeader(); // DecoderConfigDescriptor
  assert.equal(aac[at], 0x40);
  aac[at] = 0x67;
  const mpeg2Aac = written(dir, 'mpeg2-aac.mp4', aac);
  for (const [file, codec, codecName, rate, channels] of [[flac, 'flac', 'FLAC', 96000, 2], [vorbis, 'vorbis', 'Vorbis', 22050, 1], [mpeg2Aac, 'mp4a.67', 'AAC LC', 32000, 1]] as const) {
    const stream = ffprobeStreams(file)[0];
    assert.deepEqual([Number(stream?.sample_rate), stream?.channels], [rate, channels], file);
    const report = inspectJson(file);
    assert.deepEqual(report.tracks.map((track) => [track.codec, track.codecName, track.sampleRate, track.channels]), [[codec, codecName, rate, channels]], file);
  }
  // MPEG-2 AAC is AAC: KVS packages it (kvs-put sends it as A_AAC).
  assert.deepEqual(inspectJson(mpeg2Aac).issues.filter((found) => found.code === 'CODEC_NOT_PLAYABLE'), []);
});

test('GStreamer\'s fragmented mp4mux (a second of audio in a moof of its own between moofs of 5-frame GOPs): each fragment opens at its keyframe and holds the frames that play until the next, as ffprobe times them', () => {
  const file = `${FIXTURES}/h264-aac-gst.mp4`;
  const report = inspectJson(file, '--frames');
  const packets = ffprobePackets(file);
  const ms = (packet: (typeof packets)[number]) => Number(packet.pts_time) * 1000;
  const keyframes = packets.filter((packet) => packet.codec_type === 'video' && packet.flags.startsWith('K')).map(ms);
  const fragmentOf = (pts: number) => keyframes.filter((key) => key <= pts + 0.5).length - 1;
  const expected = keyframes.map((key, k) => ({
    startMs: Math.round(key),
    video: packets.filter((packet) => packet.codec_type === 'video' && fragmentOf(ms(packet)) === k).length,
    audio: packets.filter((packet) => packet.codec_type === 'audio' && fragmentOf(ms(packet)) === k).length,
  }));
  const track = (kind: string) => report.tracks.find((t) => t.kind === kind)?.number;
  const frames = report.frames ?? [];
  assert.deepEqual(
    report.fragments.map((fragment, k) => ({
      startMs: Math.round(fragment.startMs ?? NaN),
      video: frames.filter((frame) => frame.fragment === k && frame.track === track('video')).length,
      audio: frames.filter((frame) => frame.fragment === k && frame.track === track('audio')).length,
    })),
    expected,
  );
  assert.deepEqual(report.issues.filter((found) => found.severity !== 'info').map((found) => found.code), []);
});
