import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  analyzeFrameNals,
  buildParameterSetReference,
  checkVideoCodecPrivate,
  hevcCodecStringFromRecord,
  hevcCodecStringFromSps,
  parseH265Pps,
  parseH265Sps,
  parseH265Vps,
  parseHevcDecoderConfigurationRecord,
  recordParameterSets,
} from '../../../../src/formats/codecs/index';
import { assertMatchesTrace } from './helpers/compare';
import { extradata, media, packets, streamInfo, traceFile } from './helpers/ffmpeg';
import type { TraceSection } from './helpers/ffmpeg';

function section(trace: TraceSection[], title: string, extradata: boolean): TraceSection {
  const s = trace.find((t) => t.title === title && t.extradata === extradata);
  assert.ok(s, `ffmpeg traced a ${title}`);
  return s;
}

for (const file of ['h265-main.mkv', 'h265-main10.mkv', 'h265-main-frag.mp4']) {
  test(`${file}: hvcC VPS, SPS and PPS match ffmpeg trace_headers element by element`, () => {
    const path = media(file);
    const cpd = extradata(path);
    const record = parseHevcDecoderConfigurationRecord(cpd, 500);
    assert.deepEqual(record.issues, []);
    assert.equal(record.vps.length, 1);
    assert.equal(record.sps.length, 1);
    assert.equal(record.pps.length, 1);
    assert.deepEqual(
      record.other.map((o) => o.nal_unit_type),
      [39],
    );
    const trace = traceFile(path);
    const [vps, sps, pps] = [record.vps[0], record.sps[0], record.pps[0]];
    assert.ok(vps && sps && pps);
    assertMatchesTrace(vps.locations, section(trace, 'Video Parameter Set', true).lines, 'h265', `${file} VPS`);
    assertMatchesTrace(sps.locations, section(trace, 'Sequence Parameter Set', true).lines, 'h265', `${file} SPS`);
    assertMatchesTrace(pps.locations, section(trace, 'Picture Parameter Set', true).lines, 'h265', `${file} PPS`);
    assert.ok(vps.offset > 500 && vps.locations[0]?.byteOffset === vps.offset);

    const info = streamInfo(path);
    assert.equal(sps.derived.displayWidth, Number(info.width));
    assert.equal(sps.derived.displayHeight, Number(info.height));
    if (info.level !== '-99') assert.equal(sps.derived.ptl?.general_level_idc, Number(info.level));
    assert.equal(record.derived.lengthSize, 4);
    assert.equal(sps.derived.frameRate, 25);
    assert.equal(sps.derived.maxNumReorderPics, Number(info.has_b_frames));
    // the record's general_* fields and the SPS profile_tier_level give the same codec string
    assert.equal(hevcCodecStringFromRecord(record), hevcCodecStringFromSps(sps));
  });
}

test('hvc1 codec strings follow ISO/IEC 14496-15 Annex E', () => {
  const main = parseHevcDecoderConfigurationRecord(extradata(media('h265-main.mkv')));
  // profile 1, compatibility flags 1 and 2 (reversed: 0x6), Main tier level 2 (60), progressive + frame-only constraint byte 0x90
  assert.equal(hevcCodecStringFromRecord(main), 'hvc1.1.6.L60.90');
  assert.equal(hevcCodecStringFromRecord(main, 'hev1'), 'hev1.1.6.L60.90');
  const main10 = parseHevcDecoderConfigurationRecord(extradata(media('h265-main10.mkv')));
  assert.equal(hevcCodecStringFromRecord(main10), 'hvc1.2.4.L60.90');
  assert.equal(main10.sps[0]?.derived.profileName, 'Main 10');
  assert.equal(main10.sps[0]?.derived.BitDepthY, 10);
  assert.equal(main10.sps[0]?.derived.level, '2');
});

test('array_completeness: an hvc1 record must hold its VPS/SPS/PPS arrays complete, not its SEI array; Matroska names no sample entry', (t) => {
  // ffmpeg's Matroska hvcC has 0 in all four arrays (VPS, SPS, PPS, SEI).
  const cpd = extradata(media('h265-main.mkv'));
  const record = parseHevcDecoderConfigurationRecord(cpd);
  assert.deepEqual([record.fields.array_completeness, record.fields.NAL_unit_type], [[0, 0, 0, 0], [32, 33, 34, 39]]);
  assert.equal(record.derived.parameterSetArraysComplete, false);
  const issues = checkVideoCodecPrivate('h265', cpd, 0, 'hvc1');
  assert.deepEqual(issues.map((i) => [i.code, i.offset, i.message]), [
    ['HVCC_ARRAY_INCOMPLETE', 23, "array_completeness is 0 in 3 of the hvcC's 3 VPS/SPS/PPS arrays, but an hvc1 track must carry all parameter sets in the record."],
  ]); // the first array: after the 22-byte header and numOfArrays
  assert.ok(issues[0]?.hint);
  assert.deepEqual(checkVideoCodecPrivate('h265', cpd, 0, 'hev1'), []);
  assert.deepEqual(checkVideoCodecPrivate('h265', cpd), [], 'no sample entry (Matroska, MPEG-TS): nothing to judge');

  // ffmpeg's hvc1 MP4: 1 on the parameter-set arrays, 0 on the SEI array, as ISO/IEC 14496-15 8.4.1.1 wants.
  const dir = mkdtempSync(join(tmpdir(), 'hvc1-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const mp4 = join(dir, 'hvc1.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=25', '-frames:v', '5', '-pix_fmt', 'yuv420p', '-c:v', 'libx265', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', mp4]);
  const hvc1 = extradata(mp4);
  assert.deepEqual(parseHevcDecoderConfigurationRecord(hvc1).fields.array_completeness, [1, 1, 1, 0]);
  assert.deepEqual(checkVideoCodecPrivate('h265', hvc1, 0, 'hvc1'), []);
});

test('MPEG-TS: in-band VPS/SPS/PPS match ffmpeg trace_headers; slices get their types', () => {
  const path = media('h265-main.ts');
  const [first] = packets(path, 1);
  assert.ok(first);
  const frame = analyzeFrameNals(first.data, { codec: 'h265', expected: 'annex-b' });
  assert.equal(frame.framing, 'annex-b');
  assert.equal(frame.keyframe, true);
  const names = frame.nalUnits.map((n) => n.name);
  assert.deepEqual(names.slice(0, 4), ['AUD_NUT', 'VPS_NUT', 'SPS_NUT', 'PPS_NUT']);
  assert.ok(names.includes('IDR_W_RADL') || names.includes('IDR_N_LP') || names.includes('CRA_NUT'));
  assert.deepEqual(frame.sliceTypes, ['I']);
  const unit = (name: string): Uint8Array => {
    const u = frame.nalUnits.find((n) => n.name === name);
    assert.ok(u);
    return first.data.subarray(u.offset, u.offset + u.length);
  };
  const trace = traceFile(path);
  assertMatchesTrace(parseH265Vps(unit('VPS_NUT')).locations, section(trace, 'Video Parameter Set', false).lines, 'h265', 'TS VPS');
  assertMatchesTrace(parseH265Sps(unit('SPS_NUT')).locations, section(trace, 'Sequence Parameter Set', false).lines, 'h265', 'TS SPS');
  assertMatchesTrace(parseH265Pps(unit('PPS_NUT')).locations, section(trace, 'Picture Parameter Set', false).lines, 'h265', 'TS PPS');
});

test('HVCC frames in MKV: length-prefixed, slice types from the hvcC PPS, no in-band parameter sets', () => {
  const path = media('h265-main.mkv');
  const cpd = extradata(path);
  const record = parseHevcDecoderConfigurationRecord(cpd);
  const reference = buildParameterSetReference('h265', recordParameterSets(cpd, record));
  const frames = packets(path, 8);
  const types = new Set<string>();
  for (const [i, p] of frames.entries()) {
    const a = analyzeFrameNals(p.data, { codec: 'h265', expected: 4, reference });
    assert.equal(a.framing, 'length-prefixed');
    assert.deepEqual(a.issues, []);
    assert.equal(a.keyframe, p.key, `frame ${i}`);
    for (const t of a.sliceTypes) types.add(t);
  }
  assert.deepEqual([...types].sort(), ['B', 'I', 'P']);
});
