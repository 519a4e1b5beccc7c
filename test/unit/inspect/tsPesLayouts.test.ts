// MPEG-TS layouts that ffmpeg's muxer does not make but broadcast and camera muxers do, written with our
// own TS writer around elementary streams that ffmpeg encodes; ffprobe judges where it reads them right.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../src/formats/byteSource';
import { inspectMpegTs } from '../../../src/formats/inspect/fromMpegTs';
import type { JsonReport } from '../../../src/formats/inspect/jsonReport';
import { ffprobePackets, inspectJson, kvsInspect } from './cli';
import { accessUnits, adtsFrames, TsWriter } from './helpers/tsWriter';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-ts-layouts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Where the last NAL unit of an access unit starts (its start code), past the first one. */
function lastStartCode(unit: Uint8Array): number {
  for (let i = unit.length - 3; i > 4; i--) {
    if (unit[i] === 0 && unit[i + 1] === 0 && unit[i + 2] === 1) return unit[i - 1] === 0 ? i - 1 : i;
  }
  return -1;
}

/**
 * The packet sizes ffprobe gives access units that are our frames: ffmpeg's HEVC parser gives the zero_byte
 * of a 4-byte start code to the access unit before it.
 */
function ffprobeSizes(codec: 'h264' | 'h265', units: readonly Uint8Array[]): number[] {
  const zeroByte = (unit: Uint8Array | undefined) => (codec === 'h265' && unit?.[0] === 0 && unit[1] === 0 && unit[2] === 0 && unit[3] === 1 ? 1 : 0);
  return units.map((unit, k) => unit.length - (k > 0 ? zeroByte(unit) : 0) + zeroByte(units[k + 1]));
}

const VIDEO = [
  { codec: 'h264', format: 'h264', encoder: ['-c:v', 'libx264', '-x264-params', 'aud=1'], streamType: 0x1b, aud: [0x09] },
  { codec: 'h265', format: 'hevc', encoder: ['-c:v', 'libx265', '-x265-params', 'aud=1:log-level=error'], streamType: 0x24, aud: [0x46, 0x01] },
] as const;

test('an access unit split over several PES packets (a PTS on the first only) is one frame row, its bytes gathered across them, as ffprobe\'s one packet', (t) => {
  const dir = tempDir(t);
  for (const { codec, format, encoder, streamType, aud } of VIDEO) {
    const es = join(dir, `video.${format}`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=2', ...encoder, '-g', '25', '-bf', '0', '-f', format, es]);
    const units = accessUnits(readFileSync(es), aud);
    assert.ok(units.length >= 50, `${codec}: ${units.length} access units`);
    const writer = new TsWriter([{ pid: 0x100, streamType }]);
    for (const [k, unit] of units.entries()) {
      // Three PES packets: the delimiter and parameter sets with the PTS; then from the last NAL unit's start
      // code (a slice: it does not begin an access unit, the delimiter did); then from the middle of it.
      const slice = lastStartCode(unit);
      const middle = slice + Math.floor((unit.length - slice) / 2);
      assert.ok(slice > 0 && middle > slice, `${codec} access unit ${k}`);
      writer.pes(0x100, unit.subarray(0, slice), { streamId: 0xe0, pts: 126_000 + k * 3600, declareLength: true, randomAccess: k % 25 === 0 });
      writer.pes(0x100, unit.subarray(slice, middle), { streamId: 0xe0, declareLength: true });
      writer.pes(0x100, unit.subarray(middle), { streamId: 0xe0, declareLength: true });
    }
    const bytes = writer.bytes();
    const file = join(dir, `split-${codec}.ts`);
    writeFileSync(file, bytes);

    const report = inspectJson(file, '--frames');
    assert.deepEqual(report.issues.map((found) => found.code), [], codec);
    const ours = report.frames ?? [];
    const theirs = ffprobePackets(file);
    assert.equal(ours.length, theirs.length, codec);
    assert.equal(ours.length, units.length, codec);
    const sizes = ffprobeSizes(codec, units);
    ours.forEach((frame, k) => {
      const packet = theirs[k];
      assert.equal(frame.size, units[k]?.length, `${codec} frame ${k} size`);
      assert.equal(Number(packet?.size), sizes[k], `${codec} frame ${k} size as ffprobe's`);
      assert.ok(Math.abs(frame.ptsMs - Number(packet?.pts_time) * 1000) < 0.5, `${codec} frame ${k} pts ${frame.ptsMs} vs ${packet?.pts_time}`);
      assert.equal(frame.keyframe, packet?.flags.startsWith('K'), `${codec} frame ${k} keyframe`);
      assert.equal(frame.framing, 'annex-b', `${codec} frame ${k}`);
      assert.equal(frame.nalTypes?.[0], aud[0] === 0x09 ? 9 : 35, `${codec} frame ${k} opens with its delimiter`);
    });

    // The frame's bytes are the access unit, each at its byte in the file past the TS and PES headers.
    const inspection = inspectMpegTs(bytesSource(bytes));
    for (const k of [0, 1, units.length - 1]) {
      const gathered = inspection.readFrame?.(k);
      assert.deepEqual(gathered, units[k], `${codec} frame ${k} bytes`);
      for (let at = 0; at < (gathered?.length ?? 0); at += 97) assert.equal(bytes[inspection.frameByteOffset?.(k, at) ?? -1], gathered?.[at], `${codec} frame ${k} byte ${at}`);
    }
  }
});

test('without access unit delimiters, a PES without a PTS begins a frame when it opens with a parameter set or a picture\'s first slice, and otherwise continues one', (t) => {
  const dir = tempDir(t);
  for (const { codec, format, encoder, streamType, aud } of VIDEO) {
    const es = join(dir, `video.${format}`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=1', ...encoder, '-g', '10', '-bf', '0', '-f', format, es]);
    // The delimiters taken out: keyframes open with a parameter set, the others with their first slice.
    const units = accessUnits(readFileSync(es), aud).map((unit) => unit.subarray(4 + aud.length + 1));
    const writer = new TsWriter([{ pid: 0x100, streamType }]);
    for (const [k, unit] of units.entries()) {
      const middle = Math.floor(unit.length / 2);
      // Every other access unit without a PTS; each split in two in the middle of a NAL unit.
      const pts = k % 2 === 0 ? 126_000 + k * 3600 : undefined;
      writer.pes(0x100, unit.subarray(0, middle), { streamId: 0xe0, pts, declareLength: true });
      writer.pes(0x100, unit.subarray(middle), { streamId: 0xe0, declareLength: true });
    }
    const bytes = writer.bytes();
    const file = join(dir, `no-delimiters-${codec}.ts`);
    writeFileSync(file, bytes);
    const inspection = inspectMpegTs(bytesSource(bytes));
    const { frames } = inspection.report;
    assert.equal(frames.count, units.length, codec);
    const theirs = ffprobePackets(file);
    assert.equal(theirs.length, units.length, `${codec}: ffprobe's packets`);
    const sizes = ffprobeSizes(codec, units);
    for (const [k, unit] of units.entries()) {
      assert.equal(frames.size[k], unit.length, `${codec} frame ${k} size`);
      assert.equal(Number(theirs[k]?.size), sizes[k], `${codec} frame ${k} size as ffprobe's`);
      assert.equal(frames.keyframe[k] === 1, theirs[k]?.flags.startsWith('K'), `${codec} frame ${k} keyframe`);
      assert.deepEqual(inspection.readFrame?.(k), unit, `${codec} frame ${k} bytes`);
    }
  }
});

const AUDIO = [
  { name: 'AAC', encoder: ['-c:a', 'aac', '-f', 'adts'], streamType: 0x0f, streamId: 0xc0, ticks: 1920, codecName: 'AAC LC' },
  { name: 'MP2', encoder: ['-c:a', 'mp2', '-b:a', '192k', '-f', 'mp2'], streamType: 0x03, streamId: 0xc0, ticks: 2160, codecName: 'MPEG-1 Audio Layer II', frameLength: 576 },
  { name: 'AC-3', encoder: ['-c:a', 'ac3', '-b:a', '192k', '-f', 'ac3'], streamType: 0x81, streamId: 0xbd, ticks: 2880, codecName: 'AC-3', frameLength: 768 },
] as const;

/** `seconds` (default two) of a stereo 48 kHz tone, encoded, cut into its frames. */
function audioFrames(dir: string, encoding: (typeof AUDIO)[number], seconds = 2): Uint8Array[] {
  const file = join(dir, `tone-${seconds}s.${encoding.name}`);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`, '-ac', '2', ...encoding.encoder, file]);
  const stream = new Uint8Array(readFileSync(file));
  if (!('frameLength' in encoding)) return adtsFrames(stream);
  // Constant bit rate: frames of one length, each opening with its sync word.
  const frames: Uint8Array[] = [];
  for (let at = 0; at + encoding.frameLength <= stream.length; at += encoding.frameLength) frames.push(stream.subarray(at, at + encoding.frameLength));
  assert.ok(frames.every((frame) => (frame[0] === 0xff && ((frame[1] ?? 0) & 0xe0) === 0xe0) || (frame[0] === 0x0b && frame[1] === 0x77)), `${encoding.name} frames`);
  return frames;
}

/**
 * The frames packed into PES packets cut `cuts` bytes into the stream, each PES timed (or not, where
 * `timed` says) by the first frame that starts in it; the stream from byte `from` (inside the first frame
 * when not 0).
 */
function packAudio(encoding: (typeof AUDIO)[number], frames: readonly Uint8Array[], cuts: readonly number[], from = 0, timed: (pes: number) => boolean = () => true): Uint8Array {
  const stream = Buffer.concat(frames);
  const starts: number[] = [];
  frames.reduce((at, frame) => (starts.push(at), at + frame.length), 0);
  const writer = new TsWriter([{ pid: 0x101, streamType: encoding.streamType }]);
  const bounds = [...new Set([from, ...cuts.filter((cut) => cut > from && cut < stream.length), stream.length])].sort((a, b) => a - b);
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [start = 0, end = 0] = [bounds[k], bounds[k + 1]];
    const first = starts.findIndex((at) => at >= start && at < end);
    const pts = first >= 0 && timed(k) ? 126_000 + first * encoding.ticks : undefined;
    writer.pes(0x101, new Uint8Array(stream.subarray(start, end)), { streamId: encoding.streamId, pts, declareLength: true });
  }
  return writer.bytes();
}

test('audio frames that straddle PES packets (fixed-size PES, headers cut too): a row per frame of its full length, timed by the PTS of the PES it starts in, as ffprobe\'s packets', (t) => {
  const dir = tempDir(t);
  for (const encoding of AUDIO) {
    const frames = audioFrames(dir, encoding);
    const total = frames.reduce((sum, frame) => sum + frame.length, 0);
    // Cuts every ~700 bytes; each third one lands 3 bytes into a frame header.
    const starts: number[] = [];
    frames.reduce((at, frame) => (starts.push(at), at + frame.length), 0);
    const cuts: number[] = [];
    for (let cut = 700, k = 0; cut < total; cut += 700, k++) cuts.push(k % 3 === 2 ? (starts.find((at) => at >= cut) ?? cut) + 3 : cut);
    const file = join(dir, `straddling-${encoding.name}.ts`);
    writeFileSync(file, packAudio(encoding, frames, cuts));

    const report = inspectJson(file, '--frames');
    assert.deepEqual(report.issues.map((found) => found.code).filter((code) => code !== 'CODEC_NOT_PLAYABLE'), [], encoding.name);
    const ours = report.frames ?? [];
    const theirs = ffprobePackets(file);
    assert.equal(ours.length, frames.length, encoding.name);
    assert.equal(theirs.length, frames.length, encoding.name);
    ours.forEach((frame, k) => {
      assert.equal(frame.size, frames[k]?.length, `${encoding.name} frame ${k} size`);
      assert.equal(frame.size, Number(theirs[k]?.size), `${encoding.name} frame ${k} size as ffprobe's`);
      assert.ok(Math.abs(frame.ptsMs - (126_000 + k * encoding.ticks) / 90) < 0.01, `${encoding.name} frame ${k} pts ${frame.ptsMs}`);
      assert.ok(Math.abs(frame.ptsMs - Number(theirs[k]?.pts_time) * 1000) < 0.5, `${encoding.name} frame ${k} pts ${frame.ptsMs} vs ${theirs[k]?.pts_time}`);
    });
    // A frame's row starts at its first byte in the file, and its bytes are the frame's.
    const bytes = readFileSync(file);
    const inspection = inspectMpegTs(bytesSource(new Uint8Array(bytes)));
    for (const [k, frame] of frames.entries()) {
      assert.equal(bytes[ours[k]?.offset ?? -1], frame[0], `${encoding.name} frame ${k} offset`);
      assert.deepEqual(inspection.readFrame?.(k), frame, `${encoding.name} frame ${k} bytes`);
    }

    // A TS packet lost (the 40th): the frames after it are found again, each as before.
    const lossy = join(dir, `lossy-${encoding.name}.ts`);
    writeFileSync(lossy, Buffer.concat([bytes.subarray(0, 40 * 188), bytes.subarray(41 * 188)]));
    const damaged = inspectJson(lossy, '--frames');
    const codes = damaged.issues.map((found) => found.code).filter((code) => code !== 'CODEC_NOT_PLAYABLE');
    assert.deepEqual(codes.map((code) => (code.endsWith('_FRAME_INVALID') ? 'FRAME_INVALID' : code)).sort(), ['FRAME_INVALID', 'TS_CC_ERROR'], encoding.name);
    const after = (damaged.frames ?? []).slice(-frames.length / 2);
    assert.deepEqual(after.map((frame) => [frame.size, frame.ptsMs]), ours.slice(-frames.length / 2).map((frame) => [frame.size, frame.ptsMs]), encoding.name);
  }
});

test('an audio PID whose first PES begins inside a frame: its format from the first header found, no row for the cut frame, and the PTS on the frame after it', (t) => {
  const dir = tempDir(t);
  for (const encoding of AUDIO) {
    const frames = audioFrames(dir, encoding);
    const cuts = frames.map((_, k) => (k + 1) * 1000);
    const file = join(dir, `cut-${encoding.name}.ts`);
    writeFileSync(file, packAudio(encoding, frames, cuts, 100));
    const report = inspectJson(file, '--frames');
    const [track] = report.tracks;
    assert.deepEqual([track?.codecName, track?.sampleRate, track?.channels], [encoding.codecName, 48000, 2], encoding.name);
    const code = { AAC: 'ADTS', MP2: 'MPEG_AUDIO', 'AC-3': 'AC3' }[encoding.name];
    assert.deepEqual(report.issues.map((found) => [found.severity, found.code]).filter(([, found]) => found !== 'CODEC_NOT_PLAYABLE'), [['info', `${code}_STARTS_MID_FRAME`]], encoding.name);
    const name = { AAC: 'ADTS', MP2: 'MPEG audio', 'AC-3': 'AC-3' }[encoding.name];
    assert.match(report.issues.find((found) => found.code === `${code}_STARTS_MID_FRAME`)?.message ?? '', new RegExp(`^PID \\d+: its first PES begins inside an ${name} frame \\(the stream was cut there\\); those ${(frames[0]?.length ?? 0) - 100} bytes have no frame row$`), encoding.name);
    const ours = report.frames ?? [];
    assert.equal(ours.length, frames.length - 1, encoding.name);
    ours.forEach((frame, k) => {
      assert.equal(frame.size, frames[k + 1]?.length, `${encoding.name} frame ${k + 1} size`);
      assert.ok(Math.abs(frame.ptsMs - (126_000 + (k + 1) * encoding.ticks) / 90) < 0.01, `${encoding.name} frame ${k + 1} pts ${frame.ptsMs}`);
      assert.ok(frame.keyframe);
    });
  }
});

test('audio PES packets without a PTS: their frames follow on from the frame before, as ffprobe times them', (t) => {
  const dir = tempDir(t);
  for (const encoding of AUDIO) {
    const frames = audioFrames(dir, encoding);
    const starts: number[] = [];
    frames.reduce((at, frame) => (starts.push(at), at + frame.length), 0);
    // Three frames to a PES; a PTS on every third PES only.
    const cuts = starts.filter((_, k) => k > 0 && k % 3 === 0);
    const file = join(dir, `untimed-${encoding.name}.ts`);
    writeFileSync(file, packAudio(encoding, frames, cuts, 0, (pes) => pes % 3 === 0));
    const report = inspectJson(file, '--frames');
    assert.deepEqual(report.issues.map((found) => found.code).filter((code) => code !== 'CODEC_NOT_PLAYABLE'), [], encoding.name);
    const ours = report.frames ?? [];
    const theirs = ffprobePackets(file);
    assert.equal(ours.length, theirs.length, encoding.name);
    ours.forEach((frame, k) => {
      assert.ok(Math.abs(frame.ptsMs - (126_000 + k * encoding.ticks) / 90) < 0.01, `${encoding.name} frame ${k} pts ${frame.ptsMs}`);
      assert.ok(Math.abs(frame.ptsMs - Number(theirs[k]?.pts_time) * 1000) < 0.5, `${encoding.name} frame ${k} pts ${frame.ptsMs} vs ${theirs[k]?.pts_time}`);
    });
  }
});

test('audio-only, the first PES without a PTS: its frames timed backwards from the next PTS, as ffprobe times them, and fragments of 2 s, not one of 20 s', (t) => {
  const dir = tempDir(t);
  const aac = AUDIO[0];
  const frames = audioFrames(dir, aac, 20);
  const starts: number[] = [];
  frames.reduce((at, frame) => (starts.push(at), at + frame.length), 0);
  const file = join(dir, 'first-untimed.ts');
  writeFileSync(file, packAudio(aac, frames, starts.filter((_, k) => k > 0 && k % 3 === 0), 0, (pes) => pes > 0));
  const result = kvsInspect(['--json', '--frames', '--checks', file]);
  assert.equal(result.status, 0, result.stdout.slice(0, 2000));
  const report = JSON.parse(result.stdout) as JsonReport;
  // The frames before the first PTS are timed backwards from it, as ffprobe times them.
  const ours = report.frames ?? [];
  const theirs = ffprobePackets(file);
  assert.equal(ours.length, theirs.length);
  ours.forEach((frame, k) => assert.ok(Math.abs(frame.ptsMs - Number(theirs[k]?.pts_time) * 1000) < 0.5, `frame ${k}: ${frame.ptsMs} ms, ffprobe ${theirs[k]?.pts_time} s`));
  assert.equal(report.fragments.length, 10);
  assert.ok(report.fragments.slice(0, -1).every((fragment) => Math.abs((fragment.durationMs ?? 0) - 2000) < 25), JSON.stringify(report.fragments));
});
