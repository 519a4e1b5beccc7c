// `kvs-inspect --frames`: the NAL units of every H.264/H.265 frame, judged packet by packet by
// `ffmpeg -bsf:v trace_headers`; and the framing checks on every frame, not only fragment starts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { h264SliceTypeName, h265SliceTypeName } from '../../../src/formats/codecs';
import { tracePackets } from '../formats/codecs/helpers/ffmpeg';
import { FIXTURES, ffprobePackets, inspectJson, kvsInspect } from './cli';

const CASES: [file: string, codec: 'h264' | 'h265'][] = [
  ['h264-main-bframes.mkv', 'h264'],
  ['h264-aac.mp4', 'h264'],
  ['h264-aac-frag.mp4', 'h264'],
  ['h264-aac.ts', 'h264'],
  ['h265-main.mkv', 'h265'],
  ['h265-main-frag.mp4', 'h265'],
  ['h265-main.ts', 'h265'],
];

for (const [name, codec] of CASES) {
  test(`${name}: every video frame's NAL unit types and slice types are trace_headers' for that packet`, () => {
    const file = `${FIXTURES}/${name}`;
    const report = inspectJson(file, '--frames');
    const video = report.tracks.find((track) => track.kind === 'video');
    const ours = (report.frames ?? []).filter((frame) => frame.track === video?.number);
    const theirs = tracePackets(file);
    assert.ok(theirs.length > 10, 'trace_headers printed packets');
    assert.equal(ours.length, theirs.length);
    const sliceName = codec === 'h264' ? h264SliceTypeName : h265SliceTypeName;
    ours.forEach((frame, i) => {
      const traced = theirs[i];
      assert.deepEqual(frame.nalTypes, traced?.nalTypes, `frame ${i} at byte ${frame.offset}`);
      assert.deepEqual(frame.sliceTypes, [...new Set(traced?.sliceTypes.map(sliceName))], `frame ${i} slice types`);
      assert.deepEqual(frame.seiPayloadTypes ?? [], traced?.seiPayloadTypes, `frame ${i} SEI payload types`);
      assert.equal(frame.framing, name.endsWith('.ts') ? 'annex-b' : 'length-prefixed');
      assert.equal(frame.lengthSize, name.endsWith('.ts') ? undefined : 4);
      assert.equal(frame.nalNames?.length, frame.nalTypes?.length);
    });
    // Audio rows have no NAL units.
    for (const frame of report.frames ?? []) if (frame.track !== video?.number) assert.equal(frame.nalTypes, undefined);
    // What a user sees: IDR frames say so.
    const firstKey = ours.find((frame) => frame.keyframe);
    assert.ok(firstKey?.nalNames?.some((n) => n === 'IDR slice' || n.startsWith('IDR_') || n === 'CRA_NUT'), JSON.stringify(firstKey));
  });
}

test('the text report has a NAL units column', () => {
  const result = kvsInspect(['--frames', `${FIXTURES}/h264-main-bframes.mkv`]);
  assert.equal(result.status, 0);
  const lines = result.stdout.split('\n');
  const header = lines.findIndex((line) => line.includes('pts ms') && line.endsWith('NAL units'));
  assert.ok(header > 0, result.stdout.slice(0, 2000));
  assert.match(lines[header + 1] ?? '', /K\s+SEI, IDR slice \(I\); SEI: user_data_unregistered$/);
  assert.match(lines[header + 3] ?? '', /\bnon-IDR slice \(B\)$/);
});

const dir = mkdtempSync(join(tmpdir(), 'frame-nals-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a frame framed wrongly in the middle of a fragment is found with --frames, and only then', () => {
  const file = `${FIXTURES}/h264-main-bframes.mkv`;
  const report = inspectJson(file, '--frames');
  // The third video frame of the first fragment: a 4-byte NAL length turned into a start code.
  const frame = (report.frames ?? []).filter((f) => f.track === 1 && f.fragment === 0)[2];
  assert.ok(frame && frame.nalTypes?.length === 1, 'one NAL unit, so its length prefix is the frame start');
  const bytes = new Uint8Array(readFileSync(file));
  bytes.set([0, 0, 0, 1], frame.offset);
  const damaged = join(dir, 'mid-fragment-start-code.mkv');
  writeFileSync(damaged, bytes);

  const withFrames = inspectJson(damaged, '--frames');
  const found = withFrames.issues.filter((i) => i.code === 'NAL_FRAMING_ANNEX_B');
  assert.equal(found.length, 1);
  assert.equal(found[0]?.offset, frame.offset);
  assert.match(found[0]?.message ?? '', /\(track 1\)$/);
  assert.equal(withFrames.frames?.find((f) => f.offset === frame.offset)?.framing, 'annex-b');
  // Without --frames only the first frame of each fragment is read: this one is not.
  assert.equal(inspectJson(damaged).issues.filter((i) => i.code === 'NAL_FRAMING_ANNEX_B').length, 0);
});

test('a problem in many frames is reported once, with how many frames have it', () => {
  const file = `${FIXTURES}/h264-main-bframes.mkv`;
  const report = inspectJson(file, '--frames');
  const singles = (report.frames ?? []).filter((f) => f.track === 1 && f.nalTypes?.length === 1).slice(0, 5);
  const bytes = new Uint8Array(readFileSync(file));
  for (const frame of singles) bytes.set([0, 0, 0, 1], frame.offset);
  const damaged = join(dir, 'five-start-codes.mkv');
  writeFileSync(damaged, bytes);
  const found = inspectJson(damaged, '--frames').issues.filter((i) => i.code === 'NAL_FRAMING_ANNEX_B');
  assert.equal(found.length, 1);
  assert.equal(found[0]?.offset, singles[0]?.offset);
  assert.match(found[0]?.message ?? '', /\(track 1; seen in 5 frames\)$/);
});

/** Per fragment opened by a CRA (type 21) picture, the RASL pictures (types 8, 9) among the leading ones after it, from trace_headers. */
function raslAfterFragmentCras(file: string, report: ReturnType<typeof inspectJson>): number[] {
  const video = report.tracks.find((track) => track.kind === 'video');
  const frames = (report.frames ?? []).filter((frame) => frame.track === video?.number);
  const traced = tracePackets(file).map((packet) => packet.nalTypes.find((type) => type < 32));
  const counts: number[] = [];
  frames.forEach((frame, i) => {
    if (frames[i - 1]?.fragment === frame.fragment || traced[i] !== 21) return;
    let rasl = 0;
    for (let j = i + 1; j < frames.length && frames[j]?.fragment === frame.fragment && [6, 7, 8, 9].includes(traced[j] ?? -1); j++) if (traced[j] === 8 || traced[j] === 9) rasl++;
    if (rasl > 0) counts.push(rasl);
  });
  return counts;
}

test('H.265 fragments opened by a CRA with RASL pictures (x265 open GOP) are reported, as trace_headers sees them, in MKV, fMP4 and TS', () => {
  for (const name of ['h265-main.mkv', 'h265-main-frag.mp4', 'h265-main.ts']) {
    const file = `${FIXTURES}/${name}`;
    const report = inspectJson(file, '--frames');
    const expected = raslAfterFragmentCras(file, report);
    assert.ok(expected.length > 0, `${name}: x265's default open GOP`);
    const found = report.issues.filter((i) => i.code === 'FRAGMENT_START_OPEN_GOP');
    assert.equal(found.length, 1, name);
    const seen = expected.length > 1 ? `; seen in ${expected.length} fragments` : '';
    assert.match(found[0]?.message ?? '', new RegExp(`starts with a CRA picture followed by ${expected[0]} RASL pictures, .*an open GOP\\. \\(track \\d+${seen}\\)$`), name);
  }
  // The same encoder with closed GOPs: IDR pictures open the fragments, and nothing is reported.
  const closed = join(dir, 'h265-closed-gop.mkv');
  const encode = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=128x96:rate=25', '-t', '2', '-c:v', 'libx265', '-x265-params', 'keyint=25:min-keyint=25:scenecut=0:open-gop=0:log-level=error', closed]);
  assert.equal(encode.status, 0);
  const report = inspectJson(closed, '--frames');
  assert.ok(report.fragments.length > 1);
  assert.deepEqual(raslAfterFragmentCras(closed, report), []);
  assert.deepEqual(report.issues.filter((i) => i.code.startsWith('FRAGMENT_START')), []);
});

test('documents that change a track\'s codec (H.264, then H.265 as track 1, as GetMedia would return them): each document\'s frames are read by its own declaration', () => {
  const first = `${FIXTURES}/h264-main-no-bframes.mkv`;
  const second = `${FIXTURES}/h265-main.mkv`;
  const joined = join(dir, 'avc-then-hevc.mkv');
  const firstBytes = readFileSync(first);
  writeFileSync(joined, Buffer.concat([firstBytes, readFileSync(second)]));
  const report = inspectJson(joined, '--frames');
  const frames = report.frames ?? [];
  const traced = [...tracePackets(first), ...tracePackets(second)];
  assert.equal(frames.length, traced.length);
  frames.forEach((frame, i) => assert.deepEqual(frame.nalTypes, traced[i]?.nalTypes, `frame ${i} at byte ${frame.offset}`));
  const changed = report.issues.filter((i) => i.code === 'CODEC_PRIVATE_CHANGED');
  assert.equal(changed.length, 1);
  assert.match(changed[0]?.message ?? '', /^Track 1 changes its codec from V_MPEG4\/ISO\/AVC to V_MPEGH\/ISO\/HEVC in the segment at byte (\d+)\.$/);
  assert.ok(Number(/byte (\d+)/.exec(changed[0]?.message ?? '')?.[1]) > firstBytes.length);
  // The H.265 document's B-frames are B-frames, not frames going back past the H.264 SPS's reorder limit
  // of 0, and its open GOPs are seen; no H.264 parameter set is compared with its frames.
  const codes = report.issues.map((i) => i.code);
  assert.ok(codes.includes('B_FRAMES') && codes.includes('FRAGMENT_START_OPEN_GOP'), codes.join());
  assert.ok(!codes.includes('FRAME_TIMECODE_BACKWARDS') && !codes.includes('INBAND_PARAMETER_SET_DIFFERS'), codes.join());
});

test('fMP4 init and media segments joined end to end (H.264 + AAC, then H.265; and the other way round): the fragments after each moov are read with its tracks', () => {
  const avc = `${FIXTURES}/h264-aac-frag.mp4`;
  const hevc = `${FIXTURES}/h265-main-frag.mp4`;
  const joined = join(dir, 'avc-then-hevc.mp4');
  const avcBytes = readFileSync(avc);
  const hevcBytes = readFileSync(hevc);
  writeFileSync(joined, Buffer.concat([avcBytes, hevcBytes]));
  const report = inspectJson(joined, '--frames');
  const video = (report.frames ?? []).filter((frame) => frame.track === 1);
  const traced = [...tracePackets(avc), ...tracePackets(hevc)];
  assert.equal(video.length, traced.length);
  video.forEach((frame, i) => assert.deepEqual(frame.nalTypes, traced[i]?.nalTypes, `frame ${i} at byte ${frame.offset}`));
  const changed = report.issues.filter((i) => i.code === 'CODEC_PRIVATE_CHANGED');
  assert.equal(changed.length, 1);
  assert.equal(changed[0]?.message, `Track 1 changes its codec from avc1 to hev1 in the moov at byte ${avcBytes.length + hevcBytes.indexOf('moov') - 4}.`);
  // The H.265 part's B-frames and open GOPs are its own; no H.264 parameter set is compared with its frames.
  const codes = report.issues.map((i) => i.code);
  assert.ok(codes.includes('B_FRAMES') && codes.includes('FRAGMENT_START_OPEN_GOP'), codes.join());
  assert.ok(!codes.includes('FRAME_TIMECODE_BACKWARDS') && !codes.includes('INBAND_PARAMETER_SET_DIFFERS'), codes.join());

  // The audio track comes with the second moov: its samples are read, as ffprobe reads that part's.
  const reversed = join(dir, 'hevc-then-avc.mp4');
  writeFileSync(reversed, Buffer.concat([hevcBytes, avcBytes]));
  const withAudio = inspectJson(reversed, '--frames');
  assert.deepEqual(withAudio.tracks.map((track) => [track.number, track.codecId]), [[1, 'hev1'], [2, 'mp4a']]);
  const audio = (withAudio.frames ?? []).filter((frame) => frame.track === 2);
  const probed = ffprobePackets(avc).filter((packet) => packet.stream_index === 1);
  assert.deepEqual(audio.map((frame) => [frame.offset - hevcBytes.length, frame.size]), probed.map((packet) => [Number(packet.pos), Number(packet.size)]));
  assert.ok(!withAudio.issues.some((i) => i.code === 'TRAF_UNKNOWN_TRACK'));
});

test('an H.265 TS whose in-band SPS changes the picture size: the frames after the change read their slice headers by it, as trace_headers does', () => {
  // Slices after the first of a picture start with slice_segment_address, whose width follows the SPS's
  // picture size in CTBs (32x32 with ultrafast: 5 bits for 176x144, 8 for 480x272): read with the old SPS,
  // slice_type is wrong.
  const parts = [[176, 144], [480, 272]].map(([width, height]) => {
    const part = join(dir, `size-${width}.ts`);
    const x265 = 'slices=4:repeat-headers=1:keyint=5:min-keyint=5:scenecut=0:bframes=0:log-level=error';
    const encode = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=25`, '-t', '0.6', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', x265, part]);
    assert.equal(encode.status, 0, encode.stderr.toString());
    return readFileSync(part);
  });
  const file = join(dir, 'size-change.ts');
  writeFileSync(file, Buffer.concat(parts));
  const ours = inspectJson(file, '--frames').frames ?? [];
  const theirs = tracePackets(file);
  assert.equal(ours.length, 30);
  assert.equal(ours.length, theirs.length);
  ours.forEach((frame, i) => assert.deepEqual(frame.sliceTypes, [...new Set(theirs[i]?.sliceTypes.map(h265SliceTypeName))], `frame ${i}`));
});
