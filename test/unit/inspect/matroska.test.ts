import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, ffprobePackets, ffprobeStreams, inspectJson, kvsInspect } from './cli';

const mkvFixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.mkv'));

for (const name of mkvFixtures) {
  test(`${name}: tracks and frames agree with ffprobe`, () => {
    const file = `${FIXTURES}/${name}`;
    const report = inspectJson(file, '--frames');
    const streams = ffprobeStreams(file);
    assert.equal(report.format, 'matroska');
    assert.equal(report.tracks.length, streams.length);
    for (const [index, stream] of streams.entries()) {
      const track = report.tracks[index];
      assert.ok(track);
      assert.equal(track.kind, stream.codec_type);
      if (stream.codec_type === 'video') {
        assert.equal(track.family, stream.codec_name === 'hevc' ? 'h265' : stream.codec_name);
        // Display size after cropping (1080p is coded as 1088 lines).
        assert.deepEqual([track.width, track.height], [stream.width, stream.height]);
        assert.ok(track.codecPrivate?.sps?.length, 'SPS decoded');
        assert.match(track.codec ?? '', stream.codec_name === 'hevc' ? /^hvc1\./ : /^avc1\.[0-9a-f]{6}$/);
      } else {
        assert.equal(track.sampleRate, Number(stream.sample_rate));
        assert.equal(track.channels, stream.channels);
      }
    }
    const packets = ffprobePackets(file);
    assert.equal(report.frames?.length, packets.length);
    const keyframes = (report.frames ?? []).filter((frame) => frame.keyframe).length;
    assert.equal(keyframes, packets.filter((packet) => packet.flags.startsWith('K')).length);
    // Every fragment (cluster) of these files starts with a keyframe; ffmpeg made 1 s GOPs.
    assert.ok(report.fragments.every((fragment) => fragment.keyframeStart));
  });
}

test('interlaced and 1080p streams show coded and display sizes', () => {
  const p1080 = inspectJson(`${FIXTURES}/h264-1080p.mkv`).tracks[0];
  assert.deepEqual([p1080?.codedWidth, p1080?.codedHeight, p1080?.width, p1080?.height], [1920, 1088, 1920, 1080]);
  const interlaced = inspectJson(`${FIXTURES}/h264-interlaced.mkv`).tracks[0];
  assert.equal(interlaced?.interlaced, true);
  assert.equal(interlaced?.codecPrivate?.sps?.[0]?.frame_mbs_only_flag, 0);
  const trace = spawnSync('ffmpeg', ['-hide_banner', '-i', `${FIXTURES}/h264-interlaced.mkv`, '-c:v', 'copy', '-bsf:v', 'trace_headers', '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
  assert.match(trace, /frame_mbs_only_flag\s+0 = 0/);
});

test('x264 fake-interlaced (an SPS allowing fields over progressive frames) is shown progressive, as ffprobe shows it; MBAFF stays interlaced', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-fake-interlaced-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const container of ['mkv', 'ts']) {
    const file = join(dir, `fake.${container}`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-g', '25', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-x264-params', 'fake-interlaced=1', file]);
    assert.equal(ffprobeStreams(file)[0]?.field_order, 'progressive', container);
    for (const [flags, frames] of [[[], 2], [['--frames'], 50]] as const) {
      const report = inspectJson(file, ...flags);
      const track = report.tracks[0];
      assert.equal(track?.codecPrivate?.sps?.[0]?.frame_mbs_only_flag, 0, container);
      assert.equal(track?.interlaced, false, container);
      const unused = report.issues.filter((found) => found.code === 'FIELD_CODING_UNUSED');
      assert.equal(unused.length, 1, container);
      assert.equal(unused[0]?.severity, 'info');
      assert.match(unused[0]?.message ?? '', new RegExp(`all ${frames} frames read are coded as progressive frames`), `${container} ${flags.join(' ')}`);
      assert.equal(unused[0]?.offset, track?.codecPrivate?.locations.find((location) => location.path === 'sps[0].frame_mbs_only_flag')?.byteOffset);
    }
    assert.doesNotMatch(kvsInspect([file]).stdout.split('\n').find((line) => line.startsWith('  1 video')) ?? 'none', /interlaced/);
  }
  const mbaff = inspectJson(`${FIXTURES}/h264-interlaced.mkv`, '--frames');
  assert.equal(mbaff.tracks[0]?.interlaced, true);
  assert.ok(!mbaff.issues.some((found) => found.code === 'FIELD_CODING_UNUSED'));
});

test('H.265 field coding (field_seq_flag 1, each picture a field) is shown as interlaced; the main fixture is not', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-hevc-fields-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'fields.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=50', '-t', '1', '-c:v', 'libx265', '-x265-params', 'interlace=1:log-level=error', file]);
  const trace = spawnSync('ffmpeg', ['-hide_banner', '-i', file, '-c:v', 'copy', '-bsf:v', 'trace_headers', '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
  assert.match(trace, /field_seq_flag\s+1 = 1/);
  const fields = inspectJson(file).tracks[0];
  const vui = fields?.codecPrivate?.sps?.[0]?.vui_parameters as Record<string, unknown> | undefined;
  assert.deepEqual([fields?.interlaced, vui?.field_seq_flag], [true, 1]);
  assert.equal(inspectJson(`${FIXTURES}/h265-main.mkv`).tracks[0]?.interlaced, false);
});

test('B-frames are reported, a stream without them is clean; the reordering the SPS allows is the track\'s', () => {
  const report = (name: string) => inspectJson(`${FIXTURES}/${name}`);
  const bFrames = report('h264-main-bframes.mkv');
  assert.deepEqual(bFrames.issues.map((found) => found.code), ['B_FRAMES']);
  // Matroska has no decode times: --frames leaves them out rather than repeat the presentation times out of order.
  const frames = inspectJson(`${FIXTURES}/h264-main-bframes.mkv`, '--frames').frames ?? [];
  assert.ok(frames.length > 0 && frames.every((frame) => frame.dtsMs === null));
  assert.match(kvsInspect(['--frames', `${FIXTURES}/h264-main-bframes.mkv`]).stdout, /\n {2}track +fragment +offset +size +pts ms +key +NAL units\n {2}1 +0 +\d+ +\d+ +0 +K +SEI, IDR slice/);
  assert.match(kvsInspect(['--frames', `${FIXTURES}/h264-aac-frag.mp4`]).stdout, /\n {2}track +fragment +offset +size +pts ms +dts ms +key +NAL units\n/);
  const none = report('h264-main-no-bframes.mkv');
  assert.deepEqual(none.issues.map((found) => found.code), []);
  // The VUI's max_num_reorder_frames, as ffmpeg's trace_headers reads it.
  const reorder = (name: string) => {
    const trace = spawnSync('ffmpeg', ['-hide_banner', '-i', `${FIXTURES}/${name}`, '-c:v', 'copy', '-bsf:v', 'trace_headers', '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
    return Number(/max_num_reorder_frames\s+\d+ = (\d+)/.exec(trace)?.[1]);
  };
  assert.deepEqual([bFrames.tracks[0]?.maxReorderFrames, none.tracks[0]?.maxReorderFrames], [reorder('h264-main-bframes.mkv'), reorder('h264-main-no-bframes.mkv')]);
  assert.deepEqual([bFrames.tracks[0]?.maxReorderFrames, none.tracks[0]?.maxReorderFrames], [2, 0]);
  const h265 = report('h265-main.mkv').tracks[0];
  assert.equal(h265?.maxReorderFrames, (h265?.codecPrivate?.sps?.[0]?.sps_max_num_reorder_pics as number[] | undefined)?.at(-1));
});

test('a block edited 300 ms back inside its cluster: video and audio timecodes going back are reported at that block', () => {
  const dir = mkdtempSync(join(tmpdir(), 'back-'));
  try {
    const original = readFileSync(`${FIXTURES}/h264-aac.mkv`);
    const frames = inspectJson(`${FIXTURES}/h264-aac.mkv`, '--frames').frames ?? [];
    for (const track of [1, 2]) {
      // The 8th frame of the track in the second fragment: its int16 timecode, 3 bytes before its data, goes 300 ms back.
      const row = frames.filter((frame) => frame.track === track && frame.fragment === 1)[7];
      assert.ok(row);
      const bytes = Buffer.from(original);
      const at = row.offset - 3;
      bytes.writeInt16BE(bytes.readInt16BE(at) - 300, at);
      const file = join(dir, `back-${track}.mkv`);
      writeFileSync(file, bytes);
      const found = inspectJson(file).issues.filter((i) => i.code === 'FRAME_TIMECODE_BACKWARDS');
      assert.deepEqual(found.map((i) => i.offset), [row.offset], `track ${track}`);
      assert.match(found[0]?.message ?? '', new RegExp(`^Track ${track}'s timecodes go back in Fragment 1 \\(byte \\d+\\): the frame at byte ${row.offset} is at ${row.ptsMs - 300} ms`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('G.711 tracks decode their WAVEFORMATEX and have the RFC 6381 codec string of their sample entry', () => {
  const alaw = inspectJson(`${FIXTURES}/h264-alaw.mkv`).tracks[1];
  assert.equal(alaw?.family, 'g711-alaw');
  assert.equal(alaw?.codecPrivate?.type, 'WAVEFORMATEX');
  assert.equal(alaw?.codecPrivate?.fields.wFormatTag, 6);
  assert.equal(alaw?.codec, 'alaw', "RFC 6381: the name of G.711's ISO BMFF sample entry");
  const mulaw = inspectJson(`${FIXTURES}/h264-mulaw.mkv`).tracks[1];
  assert.deepEqual([mulaw?.family, mulaw?.codec], ['g711-mulaw', 'ulaw']);
});

test('HE-AAC (FDK encoder, explicit backward-compatible SBR signalling): the SBR output rate as ffprobe reports it, 2048 samples a frame', () => {
  const file = `${FIXTURES}/h264-he-aac.mkv`;
  const report = inspectJson(file, '--frames');
  const aac = report.tracks[1];
  const stream = ffprobeStreams(file)[1];
  assert.equal(aac?.codecName, 'HE-AAC (AAC LC + SBR)');
  assert.equal(aac?.sampleRate, 44_100);
  assert.equal(aac?.sampleRate, Number(stream?.sample_rate));
  assert.equal(aac?.samplesPerFrame, 2048);
  assert.deepEqual(
    [aac?.codecPrivate?.fields.samplingFrequencyIndex, aac?.codecPrivate?.fields.sbrPresentFlag, aac?.codecPrivate?.fields.extensionSamplingFrequencyIndex],
    [7, 1, 4], // the core at 22 050 Hz, SBR doubling it
  );
  // Each fragment lasts to the end of its last audio frame: 2048 samples at 44.1 kHz after its time.
  const audioFrames = (report.frames ?? []).filter((frame) => frame.track === 2);
  const theirs = ffprobePackets(file).filter((packet) => packet.stream_index === 1);
  assert.equal(audioFrames.length, theirs.length);
  const last = report.fragments.at(-1);
  const lastFrame = audioFrames.at(-1);
  assert.ok(last?.startMs !== undefined && last.startMs !== null && last.durationMs !== null && lastFrame);
  assert.ok(Math.abs(last.startMs + last.durationMs - (lastFrame.ptsMs + (2048 / 44_100) * 1000)) < 0.01, `${last.startMs} + ${last.durationMs} ms`);
});

test('HE-AAC v2 and HE-AAC with implicit signalling: the rate and channels decoders put out, as ffprobe reports them, and why', (t) => {
  const stream = (file: string) => ffprobeStreams(file).find((s) => s.codec_type === 'audio');
  const audio = (file: string) => {
    const report = inspectJson(file);
    return { track: report.tracks[1], issues: report.issues };
  };
  // ffmpeg muxed the encoder's ADTS as it is: the AudioSpecificConfig is the core's (mono AAC LC at 22.05 kHz),
  // the Matroska Channels (2) what ffmpeg's decoder put out.
  const v2File = `${FIXTURES}/h264-he-aacv2.mkv`;
  const v2 = audio(v2File);
  assert.equal(stream(v2File)?.profile, 'HE-AACv2');
  assert.equal(v2.track?.codecName, 'HE-AAC v2 (AAC LC + SBR + PS)');
  assert.deepEqual([v2.track?.sampleRate, v2.track?.channels], [Number(stream(v2File)?.sample_rate), stream(v2File)?.channels]);
  assert.deepEqual([v2.track?.codecPrivate?.fields.samplingFrequencyIndex, v2.track?.codecPrivate?.fields.channelConfiguration], [7, 1]);
  assert.equal(v2.track?.samplesPerFrame, 2048);
  assert.deepEqual(v2.issues.map((found) => [found.severity, found.code, found.offset]), [['info', 'AAC_IMPLICIT_SIGNALLING', v2.track?.codecPrivate?.offset]]);
  assert.match(v2.issues[0]?.message ?? '', /codes AAC LC at 22050 Hz, 1 channel, without SBR or PS signalling; the container's 2 channels say the frames carry SBR and PS/);

  // In MP4 the mp4a sample entry's rate (44.1 kHz) is the decoder's: SBR, not signalled in the esds.
  const mp4File = `${FIXTURES}/h264-he-aac-implicit.mp4`;
  const mp4 = audio(mp4File);
  assert.equal(stream(mp4File)?.profile, 'HE-AAC');
  assert.equal(mp4.track?.codecName, 'HE-AAC (AAC LC + SBR)');
  assert.equal(mp4.track?.codec, 'mp4a.40.2');
  assert.match(mp4.issues.find((found) => found.code === 'AAC_IMPLICIT_SIGNALLING')?.message ?? '', /without SBR signalling; the container's 44100 Hz say the frames carry SBR/);

  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-he-aac-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // An mp4a sample entry's channelcount is no hint: ffmpeg writes the template value 2 for mono AAC LC too
  // (here at 16 kHz, a rate SBR could double, with the 2-byte AudioSpecificConfig of its ADTS header).
  const adts = join(dir, 'mono.aac');
  const monoMp4 = join(dir, 'mono.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000', '-t', '1', '-c:a', 'aac', '-f', 'adts', adts]);
  execFileSync('ffmpeg', ['-v', 'error', '-i', adts, '-c', 'copy', monoMp4]);
  const lc = inspectJson(monoMp4);
  assert.equal(readFileSync(monoMp4).readUInt16BE(readFileSync(monoMp4).indexOf('mp4a') + 20), 2, 'channelcount 2 in the sample entry');
  assert.deepEqual([lc.tracks[0]?.codecName, lc.tracks[0]?.sampleRate, lc.tracks[0]?.channels], ['AAC LC', 16_000, 1]);
  assert.deepEqual(lc.issues, []);

  // Mono in the container, the output rate in OutputSamplingFrequency: SBR is known, PS is not. ffprobe's
  // decoder finds PS in the frames (2 channels); we cannot, and say so.
  const monoFile = join(dir, 'mono.mkv');
  writeFileSync(monoFile, readFileSync(v2File));
  execFileSync('mkvpropedit', ['-q', monoFile, '--edit', 'track:a1', '--set', 'channels=1', '--set', 'output-sampling-frequency=44100']);
  const mono = audio(monoFile);
  assert.equal(stream(monoFile)?.channels, 2);
  assert.deepEqual([mono.track?.codecName, mono.track?.sampleRate, mono.track?.channels], ['HE-AAC (AAC LC + SBR)', 44_100, 1]);
  assert.deepEqual(mono.issues.map((found) => found.code), ['AAC_IMPLICIT_SIGNALLING', 'AAC_PS_NOT_SIGNALLED']);

  // The AAC LC fixture: nothing implicit, nothing said.
  assert.deepEqual(inspectJson(`${FIXTURES}/h264-aac.mkv`).issues, []);
});

test('the SPS\'s HRD (bit rate, buffer, CBR) and sample aspect ratio on the track, as trace_headers and ffprobe read them', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-hrd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const encoders = {
    h264: ['-c:v', 'libx264', '-x264-params', 'nal-hrd=cbr', '-b:v', '300k', '-minrate', '300k', '-maxrate', '300k', '-bufsize', '600k'],
    h265: ['-c:v', 'libx265', '-x265-params', 'hrd=1:vbv-bufsize=600:vbv-maxrate=300:log-level=error', '-b:v', '300k'],
  };
  for (const [name, encoder] of Object.entries(encoders)) {
    const file = join(dir, `${name}.mkv`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '1', '-vf', 'setsar=4/3', ...encoder, file]);
    const trace = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'trace', '-i', file, '-c:v', 'copy', '-bsf:v', 'trace_headers', '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
    const sps = trace.slice(trace.search(/ (seq_parameter_set_id|sps_video_parameter_set_id) /));
    const value = (field: string) => Number(new RegExp(` ${field.replace(/[[\]]/g, '\\$&')} +[01]+ = (\\d+)`).exec(sps)?.[1]);
    const expected = {
      bitRate: (value('bit_rate_value_minus1[0]') + 1) * 2 ** (6 + value('bit_rate_scale')),
      cpbSize: (value('cpb_size_value_minus1[0]') + 1) * 2 ** (4 + value('cpb_size_scale')),
      cbr: value('cbr_flag[0]') === 1,
    };
    assert.ok(expected.bitRate > 250_000 && expected.bitRate < 350_000, `${name}: ${JSON.stringify(expected)}`);
    const track = inspectJson(file).tracks[0];
    assert.deepEqual(track?.hrd, expected, name);
    assert.deepEqual(track?.sampleAspectRatio?.join(':'), ffprobeStreams(file)[0]?.sample_aspect_ratio, name);
    assert.match(kvsInspect([file]).stdout, / {2}SAR 4:3 {2}25 fps {2}HRD 299\.968 kbit\/s (CBR|VBR), buffer 600 kbit\n/, name);
  }
});

test('standard input, or a pipe given as FILE (<(command)), gives the same report as the file and leaves no copy behind', (t) => {
  const file = `${FIXTURES}/h264-aac.mkv`;
  const fromFile = kvsInspect(['--json', file]);
  const temporary = mkdtempSync(join(tmpdir(), 'kvs-inspect-tmpdir-'));
  t.after(() => rmSync(temporary, { recursive: true, force: true }));
  const env = { ...process.env, TMPDIR: temporary };
  const runs = {
    stdin: spawnSync(process.execPath, ['dist/cli/kvs-inspect.js', '--json', '-'], { input: readFileSync(file), env, encoding: 'utf8' }),
    pipe: spawnSync('bash', ['-c', `"${process.execPath}" dist/cli/kvs-inspect.js --json <(cat ${file})`], { env, encoding: 'utf8' }),
  };
  for (const [name, run] of Object.entries(runs)) {
    assert.equal(run.status, 0, `${name}: ${run.stderr}`);
    assert.equal(run.stdout, fromFile.stdout, name);
  }
  assert.deepEqual(readdirSync(temporary), []);
  // Nor when the reader of its output goes away before the end (it exits at once), or when it is killed.
  const headed = spawnSync('bash', ['-c', `"${process.execPath}" dist/cli/kvs-inspect.js --json --frames - < ${file} | head -c 100`], { env, encoding: 'utf8' });
  assert.equal(headed.stdout.length, 100);
  const killed = spawnSync('bash', ['-c', `(cat ${file}; sleep 2) | timeout -s KILL 1 "${process.execPath}" dist/cli/kvs-inspect.js -`], { env, encoding: 'utf8' });
  assert.equal(killed.status, 137, 'killed while it copies its input');
  assert.deepEqual(readdirSync(temporary), []);
});

test('the human summary names tracks, codec strings, fragments and issues', () => {
  const result = kvsInspect([`${FIXTURES}/h264-aac.mkv`]);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /^h264-aac\.mkv: Matroska, [\d,]+ bytes, 2 tracks, 2 fragments, \d+ frames/);
  assert.match(result.stdout, /1 video V_MPEG4\/ISO\/AVC {2}avc1\.4d400d {2}H\.264 Main@L1\.3 {2}320x240 {2}25 fps/);
  assert.match(result.stdout, /profile_idc=77 .*level_idc=13/s);
  assert.match(result.stdout, /2 audio A_AAC {2}mp4a\.40\.2 {2}AAC LC {2}48000 Hz/);
  assert.match(result.stdout, /Issues\n {2}none/);
});

test('the human summary of an hvcC: H.265 profile, level and tier apart, bit sets in hex, and no line longer than the page', () => {
  const { stdout } = kvsInspect([`${FIXTURES}/h265-main.mkv`]);
  const json = inspectJson(`${FIXTURES}/h265-main.mkv`).tracks[0]?.codecPrivate;
  assert.match(stdout, / H\.265 Main@L2 /);
  const flags = json?.fields?.general_profile_compatibility_flags;
  assert.equal(typeof flags, 'number');
  assert.match(stdout, new RegExp(` general_profile_compatibility_flags=0x${Number(flags).toString(16)} `));
  // x265 puts its settings SEI (a few kB of hex) in the hvcC: the JSON has it whole, the summary cut.
  assert.ok(stdout.split('\n').filter((line) => !/^ {2}(warning|error|info) | {10}fix: /.test(line)).every((line) => line.length <= 110));
  assert.match(stdout, /nalUnit\[3\]=\[4e01[0-9a-f]+… \(\d+ characters; --json has all\)/);
});


test('a laced block (mkvmerge laces AAC) gives one frame row per frame, as ffprobe and mkvinfo count them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'laced-'));
  try {
    const file = join(dir, 'laced.mkv');
    execFileSync('mkvmerge', ['--quiet', '-o', file, `${FIXTURES}/h264-aac.mkv`]);
    const laced = spawnSync('mkvinfo', ['-a', file], { encoding: 'utf8' }).stdout;
    assert.match(laced, /track number 2, 8 frame\(s\)/, 'mkvmerge laced the audio');

    const report = inspectJson(file, '--frames');
    const ours = (report.frames ?? []).filter((frame) => frame.track === 2);
    const theirs = ffprobePackets(file).filter((packet) => packet.stream_index === 1);
    assert.equal(ours.length, theirs.length);
    ours.forEach((frame, i) => {
      assert.equal(frame.size, Number(theirs[i]?.size), `audio frame ${i} size`);
      // Ours: the block's time + k DefaultDurations (21.333 ms). ffmpeg spreads the block's whole duration,
      // truncated to the 1 ms ticks (170 ms), over the 8 laces and truncates again: up to 2 ticks less.
      assert.ok(Math.abs(frame.ptsMs - Number(theirs[i]?.pts_time) * 1000) < 2, `audio frame ${i}: ${frame.ptsMs} ms, ffprobe ${theirs[i]?.pts_time} s`);
    });
    // The laces of a block follow each other: each starts where the one before ends.
    const firstBlock = ours.slice(0, 8);
    firstBlock.slice(1).forEach((frame, k) => assert.equal(frame.offset, (firstBlock[k]?.offset ?? 0) + (firstBlock[k]?.size ?? 0)));
    // mkvinfo -v lists every lace's size.
    const sizes = [...spawnSync('mkvinfo', ['-a', '-v', file], { encoding: 'utf8' }).stdout.matchAll(/Frame with size (\d+)/g)].map((m) => Number(m[1]));
    const all = (report.frames ?? []).map((frame) => frame.size);
    assert.deepEqual(all, sizes);
    const unlaced = inspectJson(`${FIXTURES}/h264-aac.mkv`, '--frames');
    assert.equal(report.frames?.length, unlaced.frames?.length);
    assert.equal(report.fragments.reduce((n, f) => n + f.frameCount, 0), report.frames?.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('absolute timecodes in the future (ffmpeg -output_ts_offset to 2033) or from an unset clock (2000) are reported without KVS tags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'future-'));
  try {
    const file = join(dir, 'future.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=2', '-c:v', 'libx264', '-g', '25', '-bf', '0', '-output_ts_offset', '2000000000', '-y', file]);
    const found = inspectJson(file).issues.filter((i) => i.code === 'PRODUCER_TIMESTAMP_IN_FUTURE');
    assert.equal(found.length, 1);
    assert.match(found[0]?.message ?? '', /2033-05-18T03:33:20\.000Z as time since 1970, in the future \(and 1 more fragment\)/);
    assert.ok(!inspectJson(`${FIXTURES}/h264-aac.mkv`).issues.some((i) => i.code.startsWith('PRODUCER_TIMESTAMP')));
    const y2000 = join(dir, 'y2000.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-c', 'copy', '-output_ts_offset', '946684800', '-y', y2000]);
    const unset = inspectJson(y2000).issues.filter((i) => i.code.startsWith('PRODUCER_TIMESTAMP'));
    assert.deepEqual(unset.map((i) => i.code), ['PRODUCER_TIMESTAMP_IMPLAUSIBLE']);
    assert.match(unset[0]?.message ?? '', /2000-01-01T00:00:00\.000Z as time since 1970, which looks like an unset clock \(and 1 more fragment\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('codecs KVS does not package are named from their codec ID (MP3 in MP4 from its first frame header), in Matroska and MP4 alike, with the rate and channels ffprobe gives, and only said not to be playable', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-other-codecs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases = [
    { encoder: ['-c:a', 'libopus'], rate: 48000, ffprobe: 'opus', codec: 'opus', codecName: 'Opus' },
    { encoder: ['-c:a', 'ac3'], rate: 48000, ffprobe: 'ac3', codec: 'ac-3', codecName: 'AC-3' },
    { encoder: ['-c:a', 'flac'], rate: 48000, ffprobe: 'flac', codec: 'flac', codecName: 'FLAC' },
    { encoder: ['-c:a', 'libmp3lame'], rate: 44100, ffprobe: 'mp3', codec: 'mp4a.6B', codecName: 'MPEG-1 Audio Layer III' },
    { encoder: ['-c:a', 'libmp3lame'], rate: 22050, ffprobe: 'mp3', codec: 'mp4a.69', codecName: 'MPEG-2 Audio Layer III' },
  ];
  for (const { encoder, rate, ffprobe, codec, codecName } of cases) {
    for (const container of ['mkv', 'mp4']) {
      const file = join(dir, `${ffprobe}-${rate}.${container}`);
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${rate}:duration=1`, ...encoder, '-strict', '-2', '-y', file]);
      const [stream] = ffprobeStreams(file);
      assert.deepEqual([stream?.codec_name, stream?.channels], [ffprobe, 1], file);
      const report = inspectJson(file);
      const [track] = report.tracks;
      // (the mp4a sample entry of MP3 says 2 channels, its template value)
      assert.deepEqual([track?.codec, track?.codecName, track?.sampleRate, track?.channels], [codec, codecName, rate, 1], file);
      assert.deepEqual(report.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE'], file);
    }
  }
  // VP9 in WebM, whose CodecPrivate is optional: named, and not said to lack one.
  const webm = join(dir, 'vp9.webm');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10:duration=1', '-c:v', 'libvpx-vp9', webm]);
  assert.equal(ffprobeStreams(webm)[0]?.codec_name, 'vp9');
  const vp9 = inspectJson(webm);
  assert.equal(vp9.tracks[0]?.codecName, 'VP9');
  assert.deepEqual(vp9.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE']);
});

test('PCM audio (A_PCM/INT/LIT, which carries no CodecPrivate): the format from the Audio element, and only the warning that HLS/DASH cannot package it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-pcm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'pcm.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:v', 'libx264', '-bf', '0', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', file]);
  const report = inspectJson(file);
  const pcm = report.tracks[1];
  const stream = ffprobeStreams(file)[1];
  assert.deepEqual([pcm?.codecId, pcm?.codecName, pcm?.sampleRate, pcm?.channels, pcm?.bitDepth], ['A_PCM/INT/LIT', 'PCM, little-endian integer', Number(stream?.sample_rate), stream?.channels, 16]);
  assert.deepEqual(report.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE']);
  assert.equal(kvsInspect(['--checks', file]).status, 0);
});

test('a second copy of the Tracks element (mkvmerge --engage write_headers_twice) does not double the tracks', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-twice-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'twice.mkv');
  execFileSync('mkvmerge', ['-q', '-o', file, '--engage', 'write_headers_twice', `${FIXTURES}/h264-aac.mkv`]);
  const entries = execFileSync('mkvinfo', ['-a', file], { encoding: 'utf8' }).match(/\+ Track number: /g) ?? [];
  assert.equal(entries.length, 4, 'each TrackEntry twice');
  const report = inspectJson(file);
  const theirs = JSON.parse(execFileSync('mkvmerge', ['-J', file], { encoding: 'utf8' })) as { tracks: unknown[] };
  assert.equal(report.tracks.length, theirs.tracks.length);
  assert.deepEqual(report.issues, []);
});

test('H.265 intra-only streams are named by Table A.2 (Main Intra, Main 10 Intra), from the constraint flags trace_headers shows', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-intra-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [pixFmt, name] of [['yuv420p', 'H.265 Main Intra'], ['yuv420p10le', 'H.265 Main 10 Intra']] as const) {
    const file = join(dir, `${pixFmt}.mkv`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=25', '-frames:v', '3', '-pix_fmt', pixFmt, '-c:v', 'libx265', '-x265-params', 'keyint=1:log-level=error', file]);
    const trace = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'trace', '-i', file, '-c:v', 'copy', '-bsf:v', 'trace_headers', '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
    const flag = (field: string) => new RegExp(` general_${field} +[01]+ = (\\d+)`).exec(trace)?.[1];
    assert.deepEqual(
      ['profile_idc', 'max_12bit_constraint_flag', 'max_10bit_constraint_flag', 'max_8bit_constraint_flag', 'max_422chroma_constraint_flag', 'max_420chroma_constraint_flag', 'max_monochrome_constraint_flag', 'intra_constraint_flag'].map(flag),
      ['4', '1', '1', pixFmt === 'yuv420p' ? '1' : '0', '1', '1', '0', '1'],
    );
    assert.equal(inspectJson(file).tracks[0]?.codecName?.replace(/@L[\d.]+$/, ''), name);
  }
});

test('EBML documents joined end to end: a track first declared in a later document is listed, with that segment\'s TimestampScale', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-joined-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const videoOnly = join(dir, 'video.mkv');
  const made = join(dir, 'made.mkv');
  const withAudio = join(dir, 'with-audio.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '2', '-c:v', 'libx264', '-g', '10', '-bf', '0', '-pix_fmt', 'yuv420p', videoOnly]);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000', '-t', '2', '-c:v', 'libx264', '-g', '10', '-bf', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', made]);
  // A TimestampScale of 0.1 ms in the second document.
  execFileSync('mkvmerge', ['-q', '-o', withAudio, '--timestamp-scale', '100000', made]);
  const joined = join(dir, 'joined.mkv');
  writeFileSync(joined, Buffer.concat([readFileSync(videoOnly), readFileSync(withAudio)]));

  const report = inspectJson(joined, '--frames');
  const audio = ffprobeStreams(withAudio).find((stream) => stream.codec_type === 'audio');
  assert.deepEqual(report.tracks.map((track) => [track.number, track.kind, track.timescale]), [[1, 'video', 1000], [2, 'audio', 10_000]]);
  assert.deepEqual([report.tracks[1]?.codec, report.tracks[1]?.sampleRate], ['mp4a.40.2', Number(audio?.sample_rate)]);
  const audioPackets = ffprobePackets(withAudio).filter((packet) => packet.stream_index === audio?.index);
  assert.equal(report.frames?.filter((frame) => frame.track === 2).length, audioPackets.length);
  assert.ok(!report.issues.some((found) => found.code === 'MKV_UNDECLARED_TRACK'));
});

test('a later EBML document that declares a track with another codec (AAC, then Opus, plain or zlib-compressed) has it judged as a codec, at its TrackEntry as mkvinfo places it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-codec-change-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const part = (codec: string, offsetS: number) => {
    const file = join(dir, `${codec}-${offsetS}.mkv`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-g', '25', '-bf', '0', '-c:a', codec, '-output_ts_offset', `${offsetS}`, file]);
    return file;
  };
  const aac = part('aac', 0);
  const opus = part('libopus', 1);
  const zlibOpus = join(dir, 'zlib-opus.mkv');
  execFileSync('mkvmerge', ['-q', '-o', zlibOpus, '--compression', '1:zlib', opus]);
  assert.deepEqual(ffprobeStreams(opus).map((stream) => stream.codec_name), ['h264', 'opus']);
  /** Where mkvinfo puts the Segment, track 2's TrackEntry and the element named `inEntry` in it. */
  const positions = (file: string, inEntry = 'Codec ID') => {
    const text = execFileSync('mkvinfo', ['-P', file], { encoding: 'utf8' });
    const entry = text.split(/(?=\| \+ Track at )/).find((chunk) => chunk.includes('+ Track number: 2 '))?.split('\n|+ ')[0] ?? '';
    const position = (line: RegExp, within: string) => Number(new RegExp(`${line.source}.* at (\\d+)$`, 'm').exec(within)?.[1]);
    return { segment: position(/\+ Segment:/, text), entry: position(/\+ Track/, entry), element: position(new RegExp(`\\+ ${inEntry}`), entry) };
  };
  const joinFiles = (name: string, files: string[]) => {
    const joined = join(dir, name);
    writeFileSync(joined, Buffer.concat(files.map((file) => readFileSync(file))));
    return joined;
  };
  const aacSize = readFileSync(aac).length;

  assert.ok(!inspectJson(aac).issues.some((found) => found.code === 'CODEC_NOT_PLAYABLE'));
  // AAC, Opus, AAC, Opus: the Opus declaration is judged once, at its first TrackEntry, for both its fragments.
  const report = inspectJson(joinFiles('aac-opus.mkv', [aac, opus, aac, opus]));
  const at = positions(opus);
  const notPlayable = report.issues.filter((found) => found.code === 'CODEC_NOT_PLAYABLE');
  assert.deepEqual(notPlayable.map((found) => found.offset), [aacSize + at.entry]);
  assert.equal(notPlayable[0]?.message.split(' is not')[0], `Track 2 (A_OPUS; fragments 1, 3, as declared in the segment at byte ${aacSize + at.segment})`);
  assert.deepEqual(report.tracks.map((track) => track.codecId), ['V_MPEG4/ISO/AVC', 'A_AAC'], 'the tracks as first declared');

  // Compressed Opus frames: the encoding is reported too, at the ContentCompression element.
  const compressed = inspectJson(joinFiles('aac-zlib-opus.mkv', [aac, zlibOpus]));
  const zlibAt = positions(zlibOpus, 'Content compression');
  const scope = `fragment 1, as declared in the segment at byte ${aacSize + zlibAt.segment}`;
  const judged = compressed.issues.filter((found) => found.code === 'CODEC_NOT_PLAYABLE' || found.code === 'MKV_CONTENT_ENCODING');
  assert.deepEqual(judged.map((found) => [found.code, found.offset]), [['CODEC_NOT_PLAYABLE', aacSize + zlibAt.entry], ['MKV_CONTENT_ENCODING', aacSize + zlibAt.element]]);
  assert.ok(judged.every((found) => found.message.includes(scope)), judged.map((found) => found.message).join('\n'));
});

test('a fragment opened by an open-GOP I picture (x264 open-gop: keyframe flag, no IDR) or an intra-refresh P picture is a warning; IDR and H.265 CRA starts are not (their RASL pictures are another issue)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-open-gop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const encode = (file: string, codec: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '3', '-pix_fmt', 'yuv420p', '-bf', '2', ...codec, join(dir, file)]);
  const nalTypes = (file: string) => [...spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'trace', '-i', join(dir, file), '-c:v', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8' }).stderr.matchAll(/ nal_unit_type +[01]+ = (\d+)/g)].map((m) => Number(m[1]));
  const x264 = (openGop: number) => ['-c:v', 'libx264', '-x264-params', `open-gop=${openGop}:keyint=10:min-keyint=10:scenecut=0`];

  for (const file of ['open.mkv', 'open.mp4']) {
    encode(file, x264(1));
    const keyPackets = ffprobePackets(join(dir, file)).filter((packet) => packet.flags.startsWith('K')).length;
    const idrs = nalTypes(file).filter((type) => type === 5).length;
    assert.deepEqual([keyPackets, idrs], [3, 1], 'three keyframes, one of them IDR');
    const report = inspectJson(join(dir, file), '--frames');
    const found = report.issues.filter((i) => i.code === 'FRAGMENT_START_NOT_RANDOM_ACCESS');
    const secondFragment = report.frames?.find((frame) => frame.fragment === 1);
    assert.deepEqual(found.map((i) => [i.severity, i.offset]), [['warning', secondFragment?.offset]]);
    assert.match(found[0]?.message ?? '', /not an IDR picture \(slices: I\).*seen in 2 fragments/);
  }
  encode('closed.mkv', x264(0));
  assert.ok(!inspectJson(join(dir, 'closed.mkv')).issues.some((i) => i.code === 'FRAGMENT_START_NOT_RANDOM_ACCESS'));
  encode('cra.mkv', ['-c:v', 'libx265', '-x265-params', 'open-gop=1:keyint=10:min-keyint=10:scenecut=0:log-level=error']);
  assert.ok(nalTypes('cra.mkv').includes(21), 'x265 wrote CRA pictures');
  const cra = inspectJson(join(dir, 'cra.mkv')).issues.map((i) => i.code);
  assert.ok(!cra.includes('FRAGMENT_START_NOT_RANDOM_ACCESS'));
  assert.ok(cra.includes('FRAGMENT_START_OPEN_GOP'));
  // x264's periodic intra refresh: keyframes are P pictures with a recovery point SEI (a warning, not the error of a false keyframe).
  encode('refresh.mkv', ['-c:v', 'libx264', '-bf', '0', '-x264-params', 'intra-refresh=1:keyint=10:min-keyint=10:scenecut=0']);
  const refresh = inspectJson(join(dir, 'refresh.mkv')).issues.filter((i) => i.code === 'FRAGMENT_START_NOT_RANDOM_ACCESS');
  assert.equal(refresh.length, 1);
  assert.match(refresh[0]?.message ?? '', /not an IDR picture \(slices: P\): a gradual refresh point \(intra refresh, with a recovery point SEI\).*seen in 2 fragments/);
  // --frames names the SEI messages: each refresh point's recovery point is in its row.
  const rows = kvsInspect(['--frames', join(dir, 'refresh.mkv')]).stdout.split('\n').filter((line) => /\bK\s+SEI, non-IDR slice \(P\)/.test(line));
  assert.equal(rows.length, 2, 'the two refresh keyframes after the first');
  for (const row of rows) assert.match(row, /; SEI: recovery_point$/);
});

/** mkvinfo's SimpleBlock lines: flags and frame count of each block, in file order. */
function mkvinfoBlocks(file: string): { discardable: boolean; frames: number }[] {
  const lines = execFileSync('mkvinfo', ['-a', file], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('Simple block:'));
  return lines.map((line) => ({ discardable: /Simple block: (key, )?discardable/.test(line), frames: Number(/(\d+) frame\(s\)/.exec(line)?.[1]) }));
}

test('--frames names the lacing of laced blocks (mkvmerge made to use Xiph or EBML lacing) as mkvinfo counts their frames', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-lacing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const vorbis = join(dir, 'vorbis.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:a', 'libvorbis', vorbis]);
  for (const lacing of ['xiph', 'ebml'] as const) {
    const file = join(dir, `${lacing}.mkv`);
    execFileSync('mkvmerge', ['-q', '--engage', `lacing_${lacing}`, '-o', file, vorbis]);
    const blocks = mkvinfoBlocks(file);
    const frames = inspectJson(file, '--frames').frames ?? [];
    assert.equal(frames.length, blocks.reduce((sum, block) => sum + block.frames, 0));
    const laced = blocks.filter((block) => block.frames > 1).reduce((sum, block) => sum + block.frames, 0);
    assert.ok(laced > 0, 'mkvmerge laced the Vorbis frames');
    assert.deepEqual(frames.filter((frame) => frame.lacing).length, laced);
    assert.ok(frames.every((frame) => frame.lacing === undefined || frame.lacing === lacing), lacing);
  }
});

test('laced Opus and Vorbis (mkvmerge, no DefaultDuration): each frame of a lace at its own time (Opus less its CodecDelay), as ffprobe times it, and no false gap', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-lace-times-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [codec, toleranceMs] of [['libopus', 1.5], ['libvorbis', 25]] as const) {
    const muxed = join(dir, `${codec}-ffmpeg.mkv`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '3', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-g', '25', '-c:a', codec, muxed]);
    const file = join(dir, `${codec}.mkv`);
    execFileSync('mkvmerge', ['-q', '-o', file, muxed]);
    assert.ok(mkvinfoBlocks(file).some((block) => block.frames > 1), `mkvmerge laced the ${codec} frames`);
    const report = inspectJson(file, '--frames');
    const ours = (report.frames ?? []).filter((frame) => frame.track === 2);
    const theirs = ffprobePackets(file).filter((packet) => packet.stream_index === 1);
    assert.equal(ours.length, theirs.length);
    // Opus frames present the track's CodecDelay (6.5 ms, its pre-skip) before their blocks' timestamps, as RFC 9559 says and ffprobe shows.
    if (codec === 'libopus') assert.equal(ours[0]?.ptsMs, -6.5);
    ours.forEach((frame, i) => {
      const theirTime = Number(theirs[i]?.pts_time) * 1000;
      assert.ok(Math.abs(frame.ptsMs - theirTime) <= toleranceMs, `${codec} frame ${i}: ${frame.ptsMs} ms, ffprobe ${theirTime} ms`);
      if (i > 0) assert.ok(frame.ptsMs > (ours[i - 1]?.ptsMs ?? 0), `${codec} frame ${i} after the one before`);
      // An Opus packet's own length (its TOC's) is in the row of a laced one.
      if (codec === 'libopus' && frame.lacing) assert.equal(frame.durationMs, Number(theirs[i]?.duration_time) * 1000, `opus frame ${i} duration`);
    });
    assert.deepEqual(report.issues.filter((i) => i.code === 'FRAGMENT_GAP'), [], codec);
  }
});

test("--frames shows a SimpleBlock's discardable flag (as mkvinfo does) and invisible flag", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-block-flags-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = readFileSync(`${FIXTURES}/h264-aac.mkv`);
  const before = inspectJson(`${FIXTURES}/h264-aac.mkv`, '--frames').frames ?? [];
  assert.ok(before.every((frame) => !frame.discardable && !frame.invisible && !frame.lacing));
  // An unlaced SimpleBlock's flags byte is the byte just before its frame data.
  const [second, third] = before.filter((frame) => frame.track === 1).slice(1, 3);
  assert.ok(second && third);
  bytes[second.offset - 1] = (bytes[second.offset - 1] ?? 0) | 0x01;
  bytes[third.offset - 1] = (bytes[third.offset - 1] ?? 0) | 0x08;
  const file = join(dir, 'flags.mkv');
  writeFileSync(file, bytes);
  const frames = inspectJson(file, '--frames').frames ?? [];
  const flagged = frames.filter((frame) => frame.discardable ?? frame.invisible);
  assert.deepEqual(flagged.map((frame) => [frame.offset, frame.discardable, frame.invisible]), [[second.offset, true, undefined], [third.offset, undefined, true]]);
  assert.equal(mkvinfoBlocks(file).filter((block) => block.discardable).length, 1);
  assert.match(kvsInspect([file, '--frames']).stdout, new RegExp(`^  1 +\\d+ +${second.offset} +\\d+ +[\\d.]+ +discardable +`, 'm'));
});

test('a subtitle track with two lines 2 s apart does not stretch fragments (their gap is no frame length), and a one-frame file lasts its frame', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-timing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const srt = join(dir, 'sparse.srt');
  writeFileSync(srt, '1\n00:00:00,100 --> 00:00:00,600\nhello\n\n2\n00:00:01,900 --> 00:00:02,000\nworld\n\n');
  const withSubtitles = join(dir, 'subtitles.mkv');
  execFileSync('mkvmerge', ['-q', '-o', withSubtitles, `${FIXTURES}/h264-aac.mkv`, srt]);
  const result = kvsInspect(['--json', '--checks', withSubtitles]);
  assert.equal(result.status, 0, result.stdout);
  const report = JSON.parse(result.stdout) as ReturnType<typeof inspectJson>;
  assert.deepEqual(report.tracks.map((track) => track.kind), ['video', 'audio', 'other']);
  // 1 s GOPs; the 1.8 s between the lines taken as a frame length would make the second last 2.8 s
  assert.equal(report.fragments.length, 2);
  assert.ok(report.fragments.every((f) => f.durationMs !== null && f.durationMs < 1100), JSON.stringify(report.fragments));

  const oneFrame = join(dir, 'one-frame.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-i', `${FIXTURES}/h264-aac.mkv`, '-map', '0:v', '-frames:v', '1', '-c', 'copy', oneFrame]);
  const single = inspectJson(oneFrame);
  const [packet] = ffprobePackets(oneFrame);
  assert.ok(packet?.duration_time);
  assert.equal(single.fragments[0]?.durationMs, Number(packet.duration_time) * 1000);
});

/** Frames ffmpeg decodes from the first video stream, with the errors it logs. */
function decodedFrames(file: string): { frames: number; errors: string } {
  const result = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return { frames: Number(result.stdout.trim()), errors: result.stderr };
}

test('avcC and hvcC reserved bits written as zeros (as in a GetMedia capture of an early KVS producer: 03 01 for FF E1) are one info issue naming the fields, not a warning: ffmpeg decodes every frame', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reserved-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Bytes of each record (from its start) whose reserved bits are cleared, and the fields they come before.
  const cases = [
    { fixture: 'h264-aac.mkv', clear: { 4: 0x03, 5: 0x1f }, fields: 'lengthSizeMinusOne and numOfSequenceParameterSets' },
    { fixture: 'h265-main.mkv', clear: { 13: 0x0f, 15: 0x03, 16: 0x03 }, fields: 'min_spatial_segmentation_idc, parallelismType and chromaFormat' },
  ];
  for (const { fixture, clear, fields } of cases) {
    const original = `${FIXTURES}/${fixture}`;
    const record = inspectJson(original).tracks[0]?.codecPrivate;
    assert.ok(record, fixture);
    const bytes = readFileSync(original);
    for (const [at, keep] of Object.entries(clear)) bytes.writeUInt8(bytes.readUInt8(record.offset + Number(at)) & keep, record.offset + Number(at));
    const file = join(dir, fixture);
    writeFileSync(file, bytes);

    const report = inspectJson(file);
    const code = record.type === 'AVCDecoderConfigurationRecord' ? 'AVCC_RESERVED_BITS' : 'HVCC_RESERVED_BITS';
    const found = report.issues.filter((i) => i.code === code);
    assert.deepEqual(found.map((i) => [i.severity, i.offset]), [['info', record.offset + Number(Object.keys(clear)[0])]], fixture);
    assert.match(found[0]?.message ?? '', new RegExp(`^The reserved bits before ${fields} are not all ones`), fixture);
    assert.deepEqual(report.issues.filter((i) => i.severity !== 'info'), inspectJson(original).issues.filter((i) => i.severity !== 'info'), fixture);
    assert.deepEqual(decodedFrames(file), decodedFrames(original), fixture);
  }
});

test('V_MS/VFW/FOURCC (mkvmerge from an MJPEG AVI, ffmpeg WMV2) decodes its BITMAPINFOHEADER: the FourCC ffprobe and mkvinfo show, the codec it names, and the extra data; KVS is told which codec it cannot package', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vfw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const source = ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=10:duration=1'];
  const avi = join(dir, 'mjpeg.avi');
  execFileSync('ffmpeg', [...source, '-c:v', 'mjpeg', avi]);
  const mjpeg = join(dir, 'mjpeg.mkv');
  execFileSync('mkvmerge', ['-q', '-o', mjpeg, avi]);
  const wmv2 = join(dir, 'wmv2.mkv');
  execFileSync('ffmpeg', [...source, '-c:v', 'wmv2', wmv2]);
  for (const [file, fourCC, codecName] of [[mjpeg, 'MJPG', 'Motion JPEG'], [wmv2, 'WMV2', 'Windows Media Video 8']] as const) {
    const [stream] = ffprobeStreams(file);
    assert.equal(stream?.codec_tag_string, fourCC, file);
    const mkvinfo = execFileSync('mkvinfo', [file], { encoding: 'utf8' });
    const size = Number(/Codec's private data: size (\d+) \(FourCC: 0x[0-9a-f]+ "(\w+)"\)/.exec(mkvinfo)?.[1]);
    assert.match(mkvinfo, new RegExp(`FourCC: 0x[0-9a-f]{8} "${fourCC}"`), file);

    const report = inspectJson(file);
    const [track] = report.tracks;
    assert.equal(track?.codecName, `${codecName} (FourCC ${fourCC})`, file);
    const fields = track?.codecPrivate?.fields ?? {};
    assert.deepEqual([track?.codecPrivate?.type, track?.codecPrivate?.size, fields.biCompression, fields.biWidth, fields.biHeight], ['BITMAPINFOHEADER', size, fourCC, stream?.width, stream?.height], file);
    // ffmpeg takes what follows the 40-byte header as the codec's extradata
    assert.equal(String(fields.extraData ?? '').length / 2, Number((stream as { extradata_size?: number } | undefined)?.extradata_size ?? 0), file);
    assert.deepEqual(report.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE'], file);
    assert.match(report.issues[0]?.message ?? '', new RegExp(`^Track 1 \\(V_MS/VFW/FOURCC: ${codecName} \\(FourCC ${fourCC}\\)\\) is not a codec KVS`), file);
  }
});

test('A_MS/ACM of a format KVS does not package (ffmpeg IMA ADPCM) is named from its WAVEFORMATEX, in the track and in CODEC_NOT_PLAYABLE', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'acm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'adpcm.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=sample_rate=16000:duration=1', '-c:a', 'adpcm_ima_wav', file]);
  const [stream] = ffprobeStreams(file);
  assert.deepEqual([stream?.codec_name, stream?.sample_rate, stream?.channels], ['adpcm_ima_wav', '16000', 1]);
  const report = inspectJson(file);
  const [track] = report.tracks;
  assert.deepEqual([track?.codecId, track?.codecName, track?.sampleRate, track?.channels], ['A_MS/ACM', 'IMA ADPCM', 16000, 1]);
  assert.deepEqual(report.issues.map((found) => found.code), ['CODEC_NOT_PLAYABLE']);
  assert.match(report.issues[0]?.message ?? '', /^Track 1 \(A_MS\/ACM: IMA ADPCM\) is not a codec KVS/);
});

test('a SeekPosition or CueClusterPosition that points where its element is not is reported at that entry; ffprobe reads other bytes there, and a seek through the bad cue lands a cluster late', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'index-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const original = join(dir, 'original.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=10', '-c:v', 'libx264', '-g', '25', '-bf', '0', original]);
  const bytes = readFileSync(original);
  const tree = JSON.parse(kvsInspect(['--json', '--tree', original]).stdout) as { structure: TreeNode[] };
  const nodes = flatten(tree.structure);
  const cuesSeek = nodes.find((node) => node.name === 'SeekPosition' && nodes[nodes.indexOf(node) - 1]?.value === '1c53bb6b');
  const fifthCue = nodes.filter((node) => node.name === 'CueClusterPosition')[4];
  assert.ok(cuesSeek && fifthCue);
  /** The file with the value of the uint element `node` moved by `delta`. */
  const edited = (name: string, node: TreeNode, delta: number): string => {
    const copy = Buffer.from(bytes);
    const at = node.offset + node.headerSize;
    const length = node.size - node.headerSize;
    copy.writeUIntBE(copy.readUIntBE(at, length) + delta, at, length);
    const file = join(dir, name);
    writeFileSync(file, copy);
    return file;
  };
  const seekAt4s5 = (file: string) => spawnSync('ffprobe', ['-v', 'warning', '-read_intervals', '4.5%+#1', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' });

  assert.deepEqual(inspectJson(original).issues.filter((i) => i.code.startsWith('MKV_')), []);
  assert.deepEqual([seekAt4s5(original).stdout.trim(), seekAt4s5(original).stderr], ['4.000000', '']);

  const badSeek = edited('seek.mkv', cuesSeek, -100);
  const seekIssues = inspectJson(badSeek).issues.filter((i) => i.code === 'MKV_SEEK_POSITION_WRONG');
  assert.deepEqual(seekIssues.map((i) => [i.severity, i.offset]), [['warning', cuesSeek.offset]]);
  assert.match(seekIssues[0]?.message ?? '', /^The SeekPosition at byte \d+ puts Cues at byte (\d+) \(\d+ from the Segment's data at byte \d+\), where no top-level element starts\./);
  assert.notEqual(seekAt4s5(badSeek).stderr, '', 'ffprobe reads the bytes there as Cues, and complains');

  const badCue = edited('cue.mkv', fifthCue, 10);
  const cueIssues = inspectJson(badCue).issues.filter((i) => i.code === 'MKV_CUE_POSITION_WRONG');
  assert.deepEqual(cueIssues.map((i) => [i.severity, i.offset]), [['warning', fifthCue.offset]]);
  assert.match(cueIssues[0]?.message ?? '', /^The CueClusterPosition at byte \d+ puts a Cluster at byte \d+ \(\d+ from the Segment's data at byte \d+\), where none starts\./);
  assert.equal(seekAt4s5(badCue).stdout.trim(), '5.000000');
});

interface TreeNode {
  name: string;
  offset: number;
  size: number;
  headerSize: number;
  value?: unknown;
  children?: TreeNode[];
}

function flatten(nodes: readonly TreeNode[]): TreeNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children ?? [])]);
}
