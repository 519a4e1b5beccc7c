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
import { ffprobePackets, inspectJson } from './cli';
import { accessUnits, TsWriter } from './helpers/tsWriter';

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
    ours.forEach((frame, k) => {
      const packet = theirs[k];
      assert.equal(frame.size, units[k]?.length, `${codec} frame ${k} size`);
      // ffmpeg's HEVC parser gives the zero_byte before a 4-byte start code to the access unit before it.
      const zeroByte = codec === 'h265' ? (k === 0 ? 1 : k === units.length - 1 ? -1 : 0) : 0;
      assert.equal(frame.size + zeroByte, Number(packet?.size), `${codec} frame ${k} size as ffprobe's`);
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
    const inspection = inspectMpegTs(bytesSource(writer.bytes()));
    const { frames } = inspection.report;
    assert.equal(frames.count, units.length, codec);
    for (const [k, unit] of units.entries()) {
      assert.equal(frames.size[k], unit.length, `${codec} frame ${k} size`);
      assert.deepEqual(inspection.readFrame?.(k), unit, `${codec} frame ${k} bytes`);
    }
  }
});
