import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFrameNals, avcCodecStringFromRecord, avcCodecStringFromSps, parseAvcDecoderConfigurationRecord, parseH264Pps, parseH264Sps } from '../../../../src/formats/codecs/index';
import { assertMatchesTrace } from './helpers/compare';
import { dashCodecs, extradata, media, packets, streamInfo, traceFile } from './helpers/ffmpeg';
import type { TraceSection } from './helpers/ffmpeg';

const MKV = ['h264-baseline', 'h264-main-bframes', 'h264-main-no-bframes', 'h264-high', 'h264-high422-10bit', 'h264-interlaced', 'h264-1080p', 'h264-aac', 'h264-alaw', 'h264-mulaw'];
const OTHER = ['h264-aac.mp4', 'h264-aac-frag.mp4', 'h264-aac-dash/init-0.mp4'];

function sectionsOf(trace: TraceSection[], title: string, extradata: boolean): TraceSection[] {
  return trace.filter((s) => s.title === title && s.extradata === extradata);
}

for (const file of [...MKV.map((n) => `${n}.mkv`), ...OTHER]) {
  test(`${file}: avcC SPS and PPS match ffmpeg trace_headers element by element`, () => {
    const path = media(file);
    const cpd = extradata(path);
    const record = parseAvcDecoderConfigurationRecord(cpd, 1000);
    assert.deepEqual(record.issues, []);
    assert.equal(record.sps.length, 1);
    assert.equal(record.pps.length, 1);
    const trace = traceFile(path);
    const [spsTrace] = sectionsOf(trace, 'Sequence Parameter Set', true);
    const [ppsTrace] = sectionsOf(trace, 'Picture Parameter Set', true);
    assert.ok(spsTrace && ppsTrace, 'ffmpeg traced the extradata');
    const sps = record.sps[0];
    const pps = record.pps[0];
    assert.ok(sps && pps);
    assertMatchesTrace(sps.locations, spsTrace.lines, 'h264', `${file} SPS`);
    assertMatchesTrace(pps.locations, ppsTrace.lines, 'h264', `${file} PPS`);
    // the embedded SPS starts after the 8-byte header of the record: absolute offsets carry the base offset
    assert.equal(sps.offset, 1008);
    assert.equal(sps.locations[0]?.byteOffset, 1008);

    const info = streamInfo(path);
    assert.equal(sps.derived.displayWidth, Number(info.width));
    assert.equal(sps.derived.displayHeight, Number(info.height));
    assert.equal(sps.derived.codedWidth, Math.ceil(Number(info.coded_width) / 16) * 16);
    if (info.level !== '-99') assert.equal(sps.derived.level_idc, Number(info.level)); // -99: an init segment without samples
    assert.equal(record.derived.lengthSize, Number(info.nal_length_size));
    assert.equal(avcCodecStringFromRecord(record), avcCodecStringFromSps(sps));
  });
}

test('display sizes: 1080p is coded as 1088 lines and cropped by 8; interlaced counts map units twice', () => {
  const p1080 = parseAvcDecoderConfigurationRecord(extradata(media('h264-1080p.mkv'))).sps[0];
  assert.ok(p1080);
  assert.equal(p1080.derived.codedHeight, 1088);
  assert.equal(p1080.derived.displayHeight, 1080);
  assert.deepEqual(p1080.derived.crop, { left: 0, right: 0, top: 0, bottom: 8 });
  const inter = parseAvcDecoderConfigurationRecord(extradata(media('h264-interlaced.mkv'))).sps[0];
  assert.ok(inter);
  assert.equal(inter.fields.frame_mbs_only_flag, 0);
  assert.equal(inter.derived.interlaced, true);
  assert.equal(inter.derived.FrameHeightInMbs, 16);
  assert.equal(inter.derived.CropUnitY, 4);
  assert.equal(inter.derived.displayHeight, 240);
  const hi422 = parseAvcDecoderConfigurationRecord(extradata(media('h264-high422-10bit.mkv')));
  assert.equal(hi422.sps[0]?.derived.profileName, 'High 4:2:2');
  assert.equal(hi422.sps[0]?.derived.BitDepthY, 10);
  assert.equal(hi422.sps[0]?.derived.SubHeightC, 1);
  assert.equal(hi422.fields.chroma_format, 2);
  assert.equal(hi422.fields.bit_depth_luma_minus8, 2);
});

test('derived values: profile names, levels, frame rate from timing info, reorder depth', () => {
  const cases: [string, string, string, number][] = [
    ['h264-baseline.mkv', 'Constrained Baseline', '1.3', 0],
    ['h264-main-bframes.mkv', 'Main', '1.3', 2],
    ['h264-high.mkv', 'High', '1.3', 2],
    ['h264-1080p.mkv', 'High', '4', 0],
  ];
  for (const [file, profile, level, reorder] of cases) {
    const sps = parseAvcDecoderConfigurationRecord(extradata(media(file))).sps[0];
    assert.ok(sps);
    assert.equal(sps.derived.profileName, profile, file);
    assert.equal(sps.derived.level, level, file);
    assert.equal(sps.derived.frameRate, 25, file);
    assert.equal(sps.derived.maxNumReorderFrames, reorder, file);
  }
});

test('RFC 6381 avc1 strings equal the CODECS ffmpeg writes into a DASH manifest', () => {
  for (const name of ['h264-baseline', 'h264-main-bframes', 'h264-high', 'h264-high422-10bit', 'h264-interlaced', 'h264-1080p']) {
    const record = parseAvcDecoderConfigurationRecord(extradata(media(`${name}.mkv`)));
    const [codecs] = dashCodecs(media(`${name}.mkv`), name);
    assert.equal(avcCodecStringFromRecord(record), codecs, name);
  }
  const record = parseAvcDecoderConfigurationRecord(extradata(media('h264-baseline.mkv')));
  assert.equal(avcCodecStringFromRecord(record, 'avc3'), 'avc3.42c00d');
});

test('MPEG-TS: in-band SPS/PPS of the first access unit match ffmpeg trace_headers', () => {
  const path = media('h264-aac.ts');
  const [first] = packets(path, 1);
  assert.ok(first);
  const frame = analyzeFrameNals(first.data, { codec: 'h264', expected: 'annex-b' });
  assert.equal(frame.framing, 'annex-b');
  assert.deepEqual(
    frame.nalUnits.map((n) => n.name),
    ['AUD', 'SEI', 'SPS', 'PPS', 'IDR slice'],
  );
  assert.equal(frame.keyframe, true);
  assert.deepEqual(frame.sliceTypes, ['I']);
  const spsUnit = frame.nalUnits[2];
  const ppsUnit = frame.nalUnits[3];
  assert.ok(spsUnit && ppsUnit);
  const sps = parseH264Sps(first.data.subarray(spsUnit.offset, spsUnit.offset + spsUnit.length), spsUnit.offset);
  const pps = parseH264Pps(first.data.subarray(ppsUnit.offset, ppsUnit.offset + ppsUnit.length), ppsUnit.offset, sps);
  const trace = traceFile(path);
  const [spsTrace] = sectionsOf(trace, 'Sequence Parameter Set', false);
  const [ppsTrace] = sectionsOf(trace, 'Picture Parameter Set', false);
  assert.ok(spsTrace && ppsTrace);
  assertMatchesTrace(sps.locations, spsTrace.lines, 'h264', 'TS SPS');
  assertMatchesTrace(pps.locations, ppsTrace.lines, 'h264', 'TS PPS');
  // the same parameter sets are in the MKV's avcC
  const record = parseAvcDecoderConfigurationRecord(extradata(media('h264-aac.mkv')));
  assert.deepEqual(sps.fields, record.sps[0]?.fields);
});
