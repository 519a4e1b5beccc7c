import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFrameNals, annexBRandomAccess, beginsAccessUnit, buildParameterSetReference, parseAvcDecoderConfigurationRecord, recordParameterSets } from '../../../../src/formats/codecs/index';
import { encode, extradata, media, packets, tracePackets } from './helpers/ffmpeg';

const cpd = extradata(media('h264-main-bframes.mkv'));
const record = parseAvcDecoderConfigurationRecord(cpd);
const reference = buildParameterSetReference('h264', recordParameterSets(cpd, record));
const frames = packets(media('h264-main-bframes.mkv'), 30);

/** Length-prefixed NAL units of a frame (4-byte prefixes), for building variants. */
function nalsOf(frame: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let pos = 0; pos < frame.length; ) {
    const len = new DataView(frame.buffer, frame.byteOffset + pos).getUint32(0);
    out.push(frame.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  return out;
}

function lengthPrefixed(nals: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(nals.reduce((n, x) => n + size + x.length, 0));
  let pos = 0;
  for (const nal of nals) {
    for (let i = 0; i < size; i++) out[pos + i] = (nal.length >>> (8 * (size - 1 - i))) & 0xff;
    out.set(nal, pos + size);
    pos += size + nal.length;
  }
  return out;
}

function annexB(nals: Uint8Array[], zerosBefore = 0): Uint8Array {
  const parts: number[] = [];
  nals.forEach((nal, i) => parts.push(...(i > 0 ? new Array<number>(zerosBefore).fill(0) : []), 0, 0, 0, 1, ...nal));
  return Uint8Array.from(parts);
}

test('MKV frames: AVCC 4-byte framing, NAL names, key frames as ffprobe flags them, I/P/B slice types', () => {
  const sliceTypes = new Set<string>();
  for (const [i, { data, key }] of frames.entries()) {
    const a = analyzeFrameNals(data, { codec: 'h264', expected: 4, reference, baseOffset: 1_000_000 });
    assert.equal(a.framing, 'length-prefixed');
    assert.equal(a.lengthSize, 4);
    assert.deepEqual(a.issues, [], `frame ${i}`);
    assert.equal(a.keyframe, key, `frame ${i}`);
    assert.ok(a.nalUnits.every((n) => n.offset >= 1_000_004));
    for (const t of a.sliceTypes) sliceTypes.add(t);
  }
  assert.deepEqual([...sliceTypes].sort(), ['B', 'I', 'P']);
  const first = analyzeFrameNals(frames[0]?.data ?? new Uint8Array(0), { codec: 'h264', expected: 4 });
  assert.deepEqual(
    first.nalUnits.map((n) => [n.name, n.nal_ref_idc, n.first_mb_in_slice, n.sliceTypeName]),
    [
      ['SEI', 0, undefined, undefined],
      ['IDR slice', 3, 0, 'I'],
    ],
  );
});

test('MPEG-TS access units: Annex-B, in-band SPS/PPS identical to the MKV avcC they were remuxed from', () => {
  const mkvCpd = extradata(media('h264-aac.mkv'));
  const ref = buildParameterSetReference('h264', recordParameterSets(mkvCpd, parseAvcDecoderConfigurationRecord(mkvCpd)));
  const [au] = packets(media('h264-aac.ts'), 1);
  assert.ok(au);
  const a = analyzeFrameNals(au.data, { codec: 'h264', expected: 'annex-b', reference: ref });
  assert.deepEqual(a.issues, []);
  assert.deepEqual(
    a.inBandParameterSets.map((n) => [n.name, n.matchesCodecPrivate]),
    [
      ['SPS', true],
      ['PPS', true],
    ],
  );
  // the same access unit in a track that declares AVCC framing: the classic NAL adaptation mistake
  const wrong = analyzeFrameNals(au.data, { codec: 'h264', expected: 4 });
  assert.equal(wrong.framing, 'annex-b');
  assert.deepEqual(
    wrong.issues.map((i) => [i.severity, i.code]),
    [['error', 'NAL_FRAMING_ANNEX_B']],
  );
  assert.match(wrong.issues[0]?.hint ?? '', /NAL_ADAPTATION_ANNEXB_NALS/);
  assert.match(wrong.issues[0]?.message ?? '', /but the codec private data declares 4-byte NAL lengths\.$/);
  assert.equal(wrong.nalUnits.length, 5);
  // With codec private data that is no avcC (Annex-B itself), the 4-byte lengths are what KVS needs, not what it declares.
  const undeclared = analyzeFrameNals(au.data, { codec: 'h264', expected: 4, declared: false });
  assert.match(undeclared.issues[0]?.message ?? '', /but KVS needs length-prefixed NAL units \(4-byte lengths, as an avcC\/hvcC record declares\)\.$/);
});

test('random access from the start of an Annex-B access unit: its first slice decides; a start that does not tell gives undefined', () => {
  for (const [name, codec] of [['h264-aac.ts', 'h264'], ['h265-main.ts', 'h265']] as const) {
    const [unit] = packets(media(name), 1);
    assert.ok(unit?.key);
    const whole = analyzeFrameNals(unit.data, { codec, expected: 'annex-b' });
    const slice = whole.nalUnits.find((u) => u.sliceTypeName !== undefined);
    assert.ok(whole.keyframe && slice);
    assert.equal(annexBRandomAccess(unit.data, codec), true);
    assert.equal(annexBRandomAccess(unit.data.subarray(0, slice.offset + 1), codec), true, 'up to the slice header byte');
    assert.equal(annexBRandomAccess(unit.data.subarray(0, slice.offset), codec), undefined, 'cut before the slice');
    assert.equal(annexBRandomAccess(unit.data.subarray(1), codec), undefined, 'a 3-byte start code: may be a NAL length');
  }
  const [key, other] = [frames[0], frames.find((f) => !f.key)];
  assert.ok(key?.key && other);
  assert.equal(annexBRandomAccess(annexB(nalsOf(key.data)), 'h264'), true);
  assert.equal(annexBRandomAccess(annexB(nalsOf(other.data)), 'h264'), false);
  assert.equal(annexBRandomAccess(lengthPrefixed(nalsOf(key.data), 4), 'h264'), undefined);
  assert.equal(annexBRandomAccess(new Uint8Array(0), 'h264'), undefined);
});

test('framing mistakes: wrong length size, AVCC where Annex-B is expected, Annex-B wrapped in a length, trailing zeros, overruns', () => {
  const key = frames[0]?.data;
  assert.ok(key);
  const nals = nalsOf(key);
  const codes = (a: { issues: { code: string }[] }): string[] => a.issues.map((i) => i.code);

  const two = analyzeFrameNals(lengthPrefixed(nals, 2), { codec: 'h264', expected: 4 });
  assert.deepEqual(codes(two), ['NAL_LENGTH_SIZE_MISMATCH']);
  assert.equal(two.lengthSize, 2);
  assert.equal(two.nalUnits.length, nals.length);

  // 4-byte lengths under a declared 2 chain too (00 00 reads as an empty NAL unit, then the real length):
  // the size that parses without empty units is the one the frame uses.
  const fourAsTwo = analyzeFrameNals(lengthPrefixed(nals, 4), { codec: 'h264', expected: 2 });
  assert.deepEqual(codes(fourAsTwo), ['NAL_LENGTH_SIZE_MISMATCH']);
  assert.deepEqual([fourAsTwo.lengthSize, fourAsTwo.nalUnits.length], [4, nals.length]);
  const empty = analyzeFrameNals(lengthPrefixed([...nals, new Uint8Array(0)], 4), { codec: 'h264', expected: 4 });
  assert.deepEqual([codes(empty), empty.lengthSize], [['NAL_EMPTY'], 4], 'an empty unit in a frame no other size parses');

  const avccInTs = analyzeFrameNals(key, { codec: 'h264', expected: 'annex-b' });
  assert.deepEqual(codes(avccInTs), ['NAL_FRAMING_LENGTH_PREFIXED']);

  const wrapped = analyzeFrameNals(lengthPrefixed([annexB(nals)], 4), { codec: 'h264', expected: 4 });
  assert.ok(codes(wrapped).includes('NAL_CONTAINS_START_CODE'));

  // Annex-B with zero_byte padding before start codes: the zeros are not part of the NAL units
  const padded = analyzeFrameNals(annexB(nals, 4), { codec: 'h264', expected: 'annex-b' });
  assert.deepEqual(codes(padded), []);
  assert.deepEqual(
    padded.nalUnits.map((n) => n.length),
    nals.map((n) => n.length),
  );
  // converted badly: the zeros stayed inside the length-prefixed NAL units
  const zeros = analyzeFrameNals(lengthPrefixed(nals.map((n) => Uint8Array.from([...n, 0, 0, 0, 0])), 4), { codec: 'h264', expected: 4 });
  assert.deepEqual(codes(zeros), ['NAL_TRAILING_ZERO', 'NAL_TRAILING_ZERO']);

  const cut = analyzeFrameNals(key.subarray(0, key.length - 10), { codec: 'h264', expected: 4, baseOffset: 50 });
  assert.deepEqual(codes(cut), ['NAL_LENGTH_OVERRUN']);
  assert.ok((cut.issues[0]?.offset ?? 0) >= 50);

  // a NAL of 256..511 bytes: its 4-byte length starts with 00 00 01, yet the lengths chain to the end
  const nal300 = Uint8Array.from({ length: 300 }, (_, i) => (i === 0 ? 0x41 : 0x5a));
  const lookalike = analyzeFrameNals(lengthPrefixed([nal300], 4), { codec: 'h264', expected: 'annex-b' });
  assert.deepEqual(codes(lookalike), ['NAL_FRAMING_LENGTH_PREFIXED']);
  assert.equal(lookalike.nalUnits[0]?.length, 300);
  const leading = analyzeFrameNals(Uint8Array.of(0x55, 0x66, 0, 0, 1, 0x09, 0xf0), { codec: 'h264', expected: 'annex-b' });
  assert.deepEqual(codes(leading), ['ANNEX_B_LEADING_DATA']);
  assert.equal(leading.nalUnits[0]?.name, 'AUD');

  const garbage = analyzeFrameNals(Uint8Array.of(0x80, 1, 2, 3, 4), { codec: 'h264', expected: 'annex-b' });
  assert.deepEqual(codes(garbage), ['NAL_FRAMING_UNKNOWN']);
  assert.deepEqual(codes(analyzeFrameNals(new Uint8Array(0), { codec: 'h264', expected: 4 })), ['FRAME_EMPTY']);
  const forbidden = analyzeFrameNals(lengthPrefixed([Uint8Array.of(0xe5, 0x88)], 4), { codec: 'h264', expected: 4 });
  assert.deepEqual(codes(forbidden), ['NAL_FORBIDDEN_BIT']);
});

test('in-band parameter sets that differ from the codec private data are reported', () => {
  const key = frames[0]?.data;
  const sps = record.sps[0];
  assert.ok(key && sps);
  const changed = Uint8Array.from(cpd.subarray(sps.offset, sps.offset + sps.length));
  changed[3] = 0x1e; // another level_idc
  const withSps = lengthPrefixed([changed, ...nalsOf(key)], 4);
  const a = analyzeFrameNals(withSps, { codec: 'h264', expected: 4, reference });
  assert.deepEqual(
    a.issues.map((i) => i.code),
    ['INBAND_PARAMETER_SET_DIFFERS'],
  );
  assert.equal(a.nalUnits[0]?.matchesCodecPrivate, false);
  const same = analyzeFrameNals(lengthPrefixed([cpd.subarray(sps.offset, sps.offset + sps.length), ...nalsOf(key)], 4), { codec: 'h264', expected: 4, reference });
  assert.deepEqual(same.issues, []);
  assert.equal(same.nalUnits[0]?.matchesCodecPrivate, true);
});

/** The payloadType of each SEI message in each of the first `count` packets, as trace_headers reads them. */
test('SEI payload types per frame as trace_headers reads them; x264 intra refresh puts a recovery point SEI on each later keyframe, on no other frame', () => {
  const count = 75;
  const refresh = encode('intra-refresh.mkv', ['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-t', '3', '-c:v', 'libx264', '-bf', '0', '-x264-params', 'intra-refresh=1:keyint=25']);
  const refreshPackets = packets(refresh, count);
  const ours = refreshPackets.map((packet) => analyzeFrameNals(packet.data, { codec: 'h264', expected: 4 }));
  const seiTypes = (analysis: ReturnType<typeof analyzeFrameNals>) => analysis.nalUnits.flatMap((unit) => unit.seiPayloadTypes ?? []);
  assert.deepEqual(ours.map(seiTypes), tracePackets(refresh, count).map((packet) => packet.seiPayloadTypes));
  assert.deepEqual(refreshPackets.map((packet) => packet.key).filter(Boolean).length, 3);
  // The first keyframe is the IDR; the others are P pictures whose recovery point SEI lets decoding start.
  assert.deepEqual(ours.map((analysis) => analysis.recoveryPoint), refreshPackets.map((packet, i) => packet.key && i > 0));
  assert.deepEqual(ours.map((analysis) => analysis.keyframe), refreshPackets.map((_, i) => i === 0));
  // H.265 (2-byte NAL header): x265's decoded picture hash, a suffix SEI (payloadType 132) in every frame.
  const hevc = encode('hash.mkv', ['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-t', '1', '-c:v', 'libx265', '-x265-params', 'hash=1:log-level=error']);
  const hevcAnalyses = packets(hevc, 25).map((packet) => analyzeFrameNals(packet.data, { codec: 'h265', expected: 4 }));
  assert.deepEqual(hevcAnalyses.map(seiTypes), tracePackets(hevc, 25).map((packet) => packet.seiPayloadTypes));
  assert.ok(hevcAnalyses.every((analysis) => seiTypes(analysis).includes(132) && !analysis.recoveryPoint));
});

test('beginsAccessUnit: with delimiters only an AUD begins an access unit; without, a parameter set, SEI or the first slice of a picture does', () => {
  const bytes = (...b: number[]) => Uint8Array.from(b);
  // H.264: AUD; SPS; an IDR slice with first_mb_in_slice 0 (ue(v) '1'), and one with 1 ('010').
  assert.equal(beginsAccessUnit(bytes(0, 0, 0, 1, 0x09, 0xf0), 'h264', true), true);
  assert.equal(beginsAccessUnit(bytes(0, 0, 1, 0x09, 0xf0), 'h264', false), true);
  assert.equal(beginsAccessUnit(bytes(0, 0, 0, 1, 0x67, 0x64), 'h264', true), false);
  assert.equal(beginsAccessUnit(bytes(0, 0, 0, 1, 0x67, 0x64), 'h264', false), true);
  assert.equal(beginsAccessUnit(bytes(0, 0, 1, 0x65, 0x88, 0x84), 'h264', false), true);
  assert.equal(beginsAccessUnit(bytes(0, 0, 1, 0x65, 0x48, 0x84), 'h264', false), false);
  // No start code: the middle of a NAL unit.
  assert.equal(beginsAccessUnit(bytes(0x12, 0, 0, 1, 0x09, 0xf0), 'h264', false), false);
  assert.equal(beginsAccessUnit(bytes(0, 1, 0x09), 'h264', false), false);
  // H.265: AUD (35); a TRAIL_R slice segment with first_slice_segment_in_pic_flag 1, then 0; a suffix SEI.
  assert.equal(beginsAccessUnit(bytes(0, 0, 0, 1, 0x46, 0x01, 0x10), 'h265', true), true);
  assert.equal(beginsAccessUnit(bytes(0, 0, 1, 0x02, 0x01, 0xd0), 'h265', false), true);
  assert.equal(beginsAccessUnit(bytes(0, 0, 1, 0x02, 0x01, 0x50), 'h265', false), false);
  assert.equal(beginsAccessUnit(bytes(0, 0, 1, 0x02, 0x01, 0xd0), 'h265', true), false);
  assert.equal(beginsAccessUnit(bytes(0, 0, 1, 0x50, 0x01, 0x05), 'h265', false), false);
});

test('H.264 field_pic_flag of every slice equals trace_headers: x264 fake-interlaced codes frames, x264 tff MBAFF frames', () => {
  const cases: [string, string[], 'frame' | 'mbaff'][] = [
    ['fake-interlaced.mkv', ['-x264-params', 'fake-interlaced=1'], 'frame'],
    ['mbaff.mkv', ['-flags', '+ildct+ilme', '-x264-params', 'tff=1'], 'mbaff'],
  ];
  const analysesOf = (file: string) => {
    const cpd = extradata(file);
    const reference = buildParameterSetReference('h264', recordParameterSets(cpd, parseAvcDecoderConfigurationRecord(cpd)));
    return packets(file, 10).map(({ data }) => analyzeFrameNals(data, { codec: 'h264', expected: 4, reference }));
  };
  for (const [name, params, structure] of cases) {
    const file = encode(name, ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '0.4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', ...params]);
    const analyses = analysesOf(file);
    const fieldPicFlags = analyses.map((a) => a.nalUnits.flatMap((unit) => (unit.field_pic_flag === undefined ? [] : [unit.field_pic_flag])));
    assert.deepEqual(fieldPicFlags, tracePackets(file, 10).map((packet) => packet.fieldPicFlags), name);
    assert.ok(fieldPicFlags.every((flags) => flags.length > 0), name);
    assert.deepEqual(new Set(analyses.map((a) => a.pictureStructure)), new Set([structure]), name);
  }
  // A progressive SPS (frame_mbs_only_flag 1): slices have no field_pic_flag.
  const progressive = analysesOf(media('h264-high.mkv'));
  assert.ok(progressive.every((a) => a.pictureStructure === undefined && a.nalUnits.every((unit) => unit.field_pic_flag === undefined)));
});
