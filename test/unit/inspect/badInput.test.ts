// Hand-made bad inputs, made by patching an ffmpeg fixture where our own parser (checked against
// mkvinfo elsewhere) says the bytes are, then judged through the real CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { JsonReport } from '../../../src/formats/inspect/jsonReport';
import { getMediaErrorChunk } from '../../../src/formats/matroska/write';
import { ElementId } from '../../../src/formats/matroska/elementTable';
import { blockData, concat, element, stringElement, uintElement, unknownSizeElement } from '../formats/ebml/ebmlBytes';
import { repeatedFaultFragments } from '../formats/isobmff/helpers';
import { FIXTURES, ffprobePackets, ffprobeStreams, inspectJson, kvsInspect } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'kvs-inspect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = `${FIXTURES}/h264-aac.mkv`;
const original = readFileSync(SOURCE);
const report = inspectJson(SOURCE, '--frames');
const video = report.tracks[0];
const cpd = video?.codecPrivate;
const fields = cpd?.fields ?? {};

function written(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** A copy of the fixture with `edit` applied in place. */
function variant(name: string, edit: (bytes: Buffer) => void): string {
  const bytes = Buffer.from(original);
  edit(bytes);
  return written(name, bytes);
}

function codes(file: string): string[] {
  return inspectJson(file).issues.map((found) => found.code);
}

test('--checks: exit status 0 for a clean fixture and for one with warnings only', () => {
  assert.equal(kvsInspect(['--checks', SOURCE]).status, 0);
  const warned = kvsInspect(['--checks', `${FIXTURES}/h264-main-bframes.mkv`]);
  assert.match(warned.stdout, /warning B_FRAMES at byte \d+/);
  assert.equal(warned.status, 0);
});

test('Annex-B codec private data is an error with the offset of the codec private data, and --checks exits 2', () => {
  assert.ok(cpd);
  const file = variant('annexb-cpd.mkv', (bytes) => {
    const sps = Buffer.from(String((fields.sequenceParameterSetNALUnit as string[])[0]), 'hex');
    const pps = Buffer.from(String((fields.pictureParameterSetNALUnit as string[])[0]), 'hex');
    const annexB = Buffer.concat([Buffer.from([0, 0, 0, 1]), sps, Buffer.from([0, 0, 0, 1]), pps]);
    bytes.fill(0, cpd.offset, cpd.offset + cpd.size);
    annexB.copy(bytes, cpd.offset);
  });
  const result = inspectJson(file);
  const found = result.issues.find((i) => i.code === 'CODEC_PRIVATE_ANNEX_B');
  assert.equal(found?.severity, 'error');
  assert.equal(found?.offset, cpd.offset);
  assert.match(found?.hint ?? '', /NAL/);
  const cli = kvsInspect(['--checks', file]);
  assert.equal(cli.status, 2);
  assert.match(cli.stdout, /error {3}CODEC_PRIVATE_ANNEX_B at byte \d+/);
});

test('missing codec private data is an error (the element turned into a Void of the same size)', () => {
  assert.ok(cpd);
  const file = variant('no-cpd.mkv', (bytes) => {
    // CodecPrivate header: id 63 A2 + 1-byte size; Void: id EC + 2-byte size, same length.
    assert.deepEqual([...bytes.subarray(cpd.offset - 3, cpd.offset - 1)], [0x63, 0xa2]);
    bytes.set([0xec, 0x40, cpd.size], cpd.offset - 3);
  });
  assert.ok(codes(file).includes('CODEC_PRIVATE_MISSING'));
});

test('an avcC that declares 2-byte NAL lengths over frames with 4-byte ones: the size mismatch, an error, not empty NAL units', () => {
  const at = cpd?.offset ?? -1;
  assert.equal(fields.lengthSizeMinusOne, 3);
  const file = variant('length-2.mkv', (bytes) => {
    assert.equal(bytes[at + 4], 0xff, 'reserved 111111, lengthSizeMinusOne 3');
    bytes[at + 4] = 0xfd;
  });
  const result = kvsInspect(['--json', '--checks', file]);
  assert.equal(result.status, 2);
  const found = (JSON.parse(result.stdout) as typeof report).issues;
  assert.deepEqual(found.map((i) => [i.severity, i.code]), [['error', 'NAL_LENGTH_SIZE_MISMATCH']]);
  assert.match(found[0]?.message ?? '', /parses with 4-byte NAL lengths, but the codec private data declares 2/);
  // The frame rows say which length size the frames really use.
  const video = (inspectJson(file, '--frames').frames ?? []).filter((frame) => frame.track === 1);
  assert.ok(video.length > 0 && video.every((frame) => frame.framing === 'length-prefixed' && frame.lengthSize === 4));
});

test("V_MPEG/ISO/AVC (the KVS API reference's spelling of H.264) is read as H.264 and taken as KVS takes it", () => {
  const at = original.indexOf('V_MPEG4/ISO/AVC');
  const file = variant('v-mpeg.mkv', (bytes) => {
    // CodecID 86 8F "V_MPEG4/ISO/AVC" becomes 86 40 0E "V_MPEG/ISO/AVC": a 2-byte size keeps the length.
    assert.deepEqual([...bytes.subarray(at - 2, at)], [0x86, 0x8f]);
    bytes.set([0x40, 0x0e, ...Buffer.from('V_MPEG/ISO/AVC')], at - 1);
  });
  const result = inspectJson(file);
  assert.equal(result.tracks[0]?.codecId, 'V_MPEG/ISO/AVC');
  assert.equal(result.tracks[0]?.codec, video?.codec);
  assert.deepEqual(result.tracks[0]?.codecPrivate?.sps, video?.codecPrivate?.sps);
  assert.deepEqual(result.issues, []);
});

test('tracks numbered against what HLS/DASH play: the video as track 2 (ffmpeg, audio mapped first)', () => {
  const file = join(dir, 'audio-first.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-i', SOURCE, '-map', '0:a', '-map', '0:v', '-c', 'copy', file]);
  const result = inspectJson(file);
  assert.deepEqual(result.tracks.map((t) => [t.number, t.kind]), [[1, 'audio'], [2, 'video']]);
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset]), [['VIDEO_NOT_TRACK_1', result.tracks[1]?.offset]]);
  assert.match(result.issues[0]?.message ?? '', /^Track 1 is audio; .* \(it is track 2\)\.$/);
});

test('frames with start codes under a length-prefixed avcC are reported as the NAL adaptation mistake', () => {
  const first = report.frames?.find((frame) => frame.track === 1);
  assert.ok(first);
  const file = variant('annexb-frames.mkv', (bytes) => {
    bytes.set([0, 0, 0, 1], first.offset);
  });
  const found = inspectJson(file).issues.find((i) => i.code === 'NAL_FRAMING_ANNEX_B');
  assert.equal(found?.offset, first.offset);
});

test('a mid-fragment frame with a start code: --checks judges every frame (a CI gate), the plain summary the fragment starts', () => {
  const fourth = report.frames?.filter((frame) => frame.track === 1)[3];
  assert.ok(fourth && !fourth.keyframe);
  const file = variant('annexb-mid.mkv', (bytes) => {
    bytes.set([0, 0, 0, 1], fourth.offset);
  });
  assert.ok(!codes(file).includes('NAL_FRAMING_ANNEX_B'));
  const checked = kvsInspect(['--checks', file]);
  assert.equal(checked.status, 2);
  assert.match(checked.stdout, new RegExp(`error {3}NAL_FRAMING_ANNEX_B at byte ${fourth.offset}:`));
});

test('frames stored compressed (Matroska ContentEncoding, mkvmerge --compression zlib): one error at the encoding, no framing errors', () => {
  const file = join(dir, 'zlib.mkv');
  execFileSync('mkvmerge', ['-q', '-o', file, '--compression', '0:zlib', SOURCE]);
  const result = inspectJson(file, '--frames');
  const at = Number(/\+ Content compression at (\d+)/.exec(execFileSync('mkvinfo', ['-P', file], { encoding: 'utf8' }))?.[1]);
  assert.ok(at > 0);
  assert.deepEqual(result.issues.map((i) => [i.severity, i.code, i.offset]), [['error', 'MKV_CONTENT_ENCODING', at]]);
  assert.match(result.issues[0]?.message ?? '', /^Track 1's frames are stored compressed \(ContentCompAlgo 0: zlib\)/);
  assert.equal(kvsInspect(['--checks', file]).status, 2);
});

test('a fragment that does not start with a keyframe is an error', () => {
  const second = report.frames?.find((frame) => frame.track === 1 && frame.fragment === 1);
  assert.ok(second?.keyframe);
  const file = variant('no-key.mkv', (bytes) => {
    const flags = second.offset - 1; // SimpleBlock: track, timecode (2), flags, then the frame
    bytes[flags] = (bytes[flags] ?? 0) & ~0x80;
  });
  const found = inspectJson(file).issues.find((i) => i.code === 'FRAGMENT_NOT_KEYFRAME_START');
  assert.equal(found?.offset, report.fragments[1]?.offset);
});

test('two documents back to back with the same timecodes: timecodes go backwards', () => {
  const file = written('twice.mkv', Buffer.concat([original, original]));
  const result = inspectJson(file);
  assert.equal(result.fragments.length, 4);
  const found = result.issues.find((i) => i.code === 'TIMECODE_BACKWARDS');
  assert.equal(found?.offset, original.length + (report.fragments[0]?.offset ?? 0));
});

test('stray bytes before a Cluster that read as an unknown id and a huge size: skipped, and every later Cluster still read', () => {
  const second = report.fragments[1]?.offset ?? 0;
  const file = written('junk.mkv', Buffer.concat([original.subarray(0, second), Buffer.of(0x5c, 0x64), original.subarray(second)]));
  const result = inspectJson(file, '--frames');
  assert.deepEqual(result.fragments.map((f) => f.frameCount), report.fragments.map((f) => f.frameCount));
  assert.equal(result.frames?.length, report.frames?.length);
  const found = result.issues.find((i) => i.offset === second);
  assert.equal(found?.code, 'EBML_TRUNCATED');
  assert.match(found?.message ?? '', /^Unknown element id 0x5C64 .* skipped 2 bytes to offset/);
});

test('stray bytes between two documents that read as an element reaching into the next EBML header: skipped, and the next document read whole', () => {
  // 0x5C64 is no Matroska id; its size byte 0x84 says 4 bytes, the first 4 of the next EBML header.
  const stray = Buffer.of(0x5c, 0x64, 0x84);
  const file = written('stray-between-documents.mkv', Buffer.concat([original, stray, original]));
  const result = inspectJson(file, '--frames');
  assert.deepEqual(result.fragments.map((f) => f.frameCount), [...report.fragments, ...report.fragments].map((f) => f.frameCount));
  assert.deepEqual(result.tracks.map((t) => [t.number, t.codecId]), report.tracks.map((t) => [t.number, t.codecId]));
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset]), [
    ['EBML_STRAY_BYTES', original.length],
    ['TIMECODE_BACKWARDS', original.length + stray.length + (report.fragments[0]?.offset ?? 0)],
  ]);
  assert.equal(result.issues[0]?.message, `Unknown element id 0x5C64 where an EBML header or a Segment should start at offset ${original.length}; skipped 3 bytes to offset ${original.length + 3}.`);
});

test('a Cluster whose size is 9 bytes too large ends where the next Cluster starts, which is read as the Cluster it is', () => {
  const first = report.fragments[0]?.offset ?? 0;
  const file = variant('long-cluster.mkv', (bytes) => {
    const at = first + 4; // after the 4-byte Cluster id: the size, a VINT of `width` bytes
    const width = Math.clz32(bytes[at] ?? 0) - 23;
    const size = bytes.readUIntBE(at, width) - 2 ** (7 * width) + 9; // without the VINT marker bit, plus 9
    bytes.writeUIntBE(size + 2 ** (7 * width), at, width);
  });
  const result = inspectJson(file, '--frames');
  assert.deepEqual(result.fragments.map((f) => [f.offset, f.frameCount]), report.fragments.map((f) => [f.offset, f.frameCount]));
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset]), [['EBML_SIZE_PAST_PARENT', first]]);
});

test('a Cluster whose size is 1 to 3 bytes too large (the next Cluster\'s id crosses its end) ends where that Cluster starts: every frame read', () => {
  const first = report.fragments[0]?.offset ?? 0;
  for (const extra of [1, 2, 3]) {
    const file = variant(`cluster-${extra}-too-long.mkv`, (bytes) => {
      const at = first + 4;
      const width = Math.clz32(bytes[at] ?? 0) - 23;
      bytes.writeUIntBE(bytes.readUIntBE(at, width) + extra, at, width);
    });
    const result = inspectJson(file, '--frames');
    assert.deepEqual(result.frames, report.frames, `${extra}`);
    const next = report.fragments[1]?.offset ?? 0;
    assert.deepEqual(result.issues.map((i) => [i.code, i.offset, i.message]), [['EBML_SIZE_PAST_PARENT', first, `A top-level element starts at offset ${next} inside Cluster (offset ${first}), ${extra} byte${extra === 1 ? '' : 's'} before its end: Cluster is taken to end there, not at ${next + extra}.`]]);
  }
});

/** The offset of the first element mkvinfo shows on a line that `pattern` matches (its offset captured). */
function mkvinfoOffset(pattern: RegExp): number {
  const found = pattern.exec(execFileSync('mkvinfo', ['-P', SOURCE], { encoding: 'utf8' }));
  assert.ok(found, `mkvinfo shows ${pattern}`);
  return Number(found[1]);
}

test('an id damaged at the Segment level: one that belongs deeper (an Info\'s first byte flipped) is skipped to the next top-level element, as ffmpeg does; an unknown one (a Cluster\'s) is read as the element its first child shows', () => {
  const infoAt = mkvinfoOffset(/\+ Segment information at (\d+)/);
  const tracksAt = mkvinfoOffset(/\+ Tracks at (\d+)/);
  const info = variant('info-id.mkv', (bytes) => {
    assert.equal(bytes[infoAt], 0x15);
    bytes[infoAt] = 0xea; // the Info's id, 0x1549A966, now starts with CueCodecState's
  });
  const misplaced = inspectJson(info, '--frames');
  assert.deepEqual(misplaced.frames, report.frames);
  assert.equal(misplaced.frames?.length, ffprobePackets(info).length);
  const [seek, ...damage] = misplaced.issues;
  assert.deepEqual(damage.map((i) => [i.code, i.offset, i.message]), [['EBML_ELEMENT_MISPLACED', infoAt, `CueCodecState (0xEA), which belongs in CueTrackPositions, directly in the Segment at offset ${infoAt}; skipped ${tracksAt - infoAt} bytes to offset ${tracksAt}.`]]);
  // The SeekHead, before it, still says where the Info was.
  assert.equal(seek?.code, 'MKV_SEEK_POSITION_WRONG');
  assert.match(seek?.message ?? '', new RegExp(`puts Info at byte ${infoAt} .*, where no top-level element starts\\.`));

  const clusterAt = mkvinfoOffset(/\+ Cluster at (\d+)/);
  const cluster = variant('cluster-id.mkv', (bytes) => {
    assert.equal(bytes.readUInt32BE(clusterAt), 0x1f43b675);
    bytes[clusterAt + 1] = 0x18;
  });
  const renamed = inspectJson(cluster, '--frames');
  assert.deepEqual(renamed.frames, report.frames);
  assert.ok(ffprobePackets(cluster).length < (report.frames?.length ?? 0), 'ffprobe skips the Cluster');
  assert.deepEqual(renamed.issues.map((i) => [i.code, i.offset, i.message]), [['EBML_ID_DAMAGED', clusterAt, `Unknown element id 0x1F18B675 at offset ${clusterAt} holds a Timestamp, which only a Cluster holds: read as a Cluster (id 0x1F43B675).`]]);
  assert.equal(kvsInspect(['--checks', cluster]).status, 2);
});

test('a Cluster or Segment of size 0 (a size never patched) followed by its own children: read as of unknown size, every frame kept (ffprobe loses a Cluster\'s), an error', () => {
  const clusterAt = mkvinfoOffset(/\+ Cluster at (\d+)/);
  const segmentAt = mkvinfoOffset(/\+ Segment: size \d+ at (\d+)/);
  for (const [master, at] of [['Cluster', clusterAt], ['Segment', segmentAt]] as const) {
    const file = variant(`${master}-size-0.mkv`, (bytes) => {
      const width = Math.clz32(bytes[at + 4] ?? 0) - 23;
      bytes.fill(0, at + 4, at + 4 + width);
      bytes[at + 4] = 0x80 >> (width - 1); // the VINT marker alone: 0
    });
    const result = inspectJson(file, '--frames');
    assert.deepEqual(result.frames, report.frames, master);
    assert.deepEqual(result.issues.filter((i) => i.severity !== 'info').map((i) => [i.code, i.severity, i.offset]), [['EBML_SIZE_ZERO', 'error', at]], master);
    assert.match(result.issues[0]?.message ?? '', new RegExp(`^${master} at offset ${at} declares 0 bytes, but its (Timestamp|SeekHead) follows it: read as of unknown size`));
    assert.equal(kvsInspect(['--checks', file]).status, 2);
    if (master === 'Cluster') assert.ok(ffprobePackets(file).length < (report.frames?.length ?? 0), 'ffprobe skips the Cluster');
  }
});

test('bytes after the Segment that read as elements which belong deeper are one EBML_STRAY_BYTES, not one issue per element', () => {
  const file = written('tail-garbage.mkv', Buffer.concat([original, Buffer.from('\x80\xec'.repeat(5000), 'latin1')]));
  const result = inspectJson(file, '--frames');
  assert.deepEqual(result.frames, report.frames);
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset, i.message]), [['EBML_STRAY_BYTES', original.length, `ChapterDisplay (0x80), which belongs in ChapterAtom, where an EBML header or a Segment should start at offset ${original.length}; skipped 10000 bytes to offset ${original.length + 10000}.`]]);
});

test('an error page between two documents of the producer layout (Segment and Clusters of unknown size): skipped, every frame of both read', () => {
  const segmentAt = mkvinfoOffset(/\+ Segment: size \d+ at (\d+)/);
  const clusters = [...execFileSync('mkvinfo', ['-P', SOURCE], { encoding: 'utf8' }).matchAll(/\+ Cluster at (\d+)/g)].map((m) => Number(m[1]));
  const producerLayout = Buffer.from(original);
  for (const master of [segmentAt, ...clusters]) {
    // The size VINT's value bits all set: unknown.
    const width = Math.clz32(producerLayout[master + 4] ?? 0) - 23;
    if (width > 6) producerLayout.set([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], master + 4);
    else producerLayout.writeUIntBE(2 ** (7 * width + 1) - 1, master + 4, width);
  }
  const page = Buffer.from('<html>502 Bad Gateway</html>\n');
  const file = written('error-page-between.mkv', Buffer.concat([producerLayout, page, producerLayout]));
  const result = inspectJson(file, '--frames');
  assert.equal(result.frames?.length, 2 * (report.frames?.length ?? 0));
  assert.equal(result.frames?.length, ffprobePackets(file).length);
  // (The second document repeats the first's times.)
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset]), [['EBML_STRAY_BYTES', original.length], ['TIMECODE_BACKWARDS', original.length + page.length + (report.fragments[0]?.offset ?? 0)]]);
  assert.equal(result.issues[0]?.message, `Unknown element id 0x3C6874 of 11628 bytes, with a top-level element inside, at offset ${original.length}; skipped ${page.length} bytes to offset ${original.length + page.length}.`);
});

test('a Void whose size runs past its Segment and the input (the Segment\'s size is right): the elements after it are read, every frame ffprobe finds; cut inside the Void, the file is truncated', () => {
  const layout = execFileSync('mkvinfo', ['-P', SOURCE], { encoding: 'utf8' });
  const voidAt = Number(/\+ EBML void: size \d+ at (\d+)/.exec(layout)?.[1]);
  const infoAt = Number(/\+ Segment information at (\d+)/.exec(layout)?.[1]);
  const segmentAt = Number(/\+ Segment: size \d+ at (\d+)/.exec(layout)?.[1]);
  const file = variant('huge-void.mkv', (bytes) => {
    assert.equal(bytes[voidAt + 1], 0x01, 'ffmpeg writes a Void\'s size in 8 bytes');
    bytes.set([0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], voidAt + 1); // 2^48 - 2 bytes
  });
  const result = inspectJson(file, '--frames');
  assert.deepEqual(result.tracks.map((t) => t.codecId), report.tracks.map((t) => t.codecId));
  assert.equal(result.frames?.length, ffprobePackets(file).length);
  assert.deepEqual(result.frames?.map((f) => f.offset), report.frames?.map((f) => f.offset));
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset]), [['EBML_SIZE_PAST_PARENT', voidAt]]);
  assert.match(result.issues[0]?.message ?? '', new RegExp(`taken to end at ${infoAt}, where the next top-level element starts`));

  const cut = inspectJson(written('cut-in-void.mkv', original.subarray(0, voidAt + 20)));
  // one cut, one error: at the Void the input ends in, naming the Segment around it
  assert.deepEqual(cut.issues.map((i) => [i.code, i.offset]), [['EBML_TRUNCATED', voidAt]]);
  assert.match(cut.issues[0]?.message ?? '', new RegExp(`^Void at offset ${voidAt} needs \\d+ more bytes than the input has \\(it ends at \\d+, the input at ${voidAt + 20}\\); the Segment at offset ${segmentAt} around it is cut too \\(\\d+ bytes short\\)\\.$`));
});

test('the producer layout (Segment and Clusters of unknown size) with a size past the input, a Void\'s or the SimpleBlock\'s before the last Cluster: the walk carries on at the top-level element inside it, every frame read', () => {
  // Three Clusters, the last short enough for the SimpleBlock before it to reach past the input.
  const source = join(dir, 'three-clusters.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '2.1', '-c:v', 'libx264', '-g', '10', '-bf', '0', source]);
  const bytesOf = readFileSync(source);
  const layout = execFileSync('mkvinfo', ['-P', '-v', source], { encoding: 'utf8' });
  const at = (pattern: RegExp) => [...layout.matchAll(pattern)].map((m) => Number(m[1]));
  const [segmentAt = 0] = at(/\+ Segment: size \d+ at (\d+)/g);
  const [voidAt = 0] = at(/\+ EBML void: size \d+ at (\d+)/g);
  const [infoAt = 0] = at(/\+ Segment information at (\d+)/g);
  const clusters = at(/\+ Cluster at (\d+)/g);
  const lastCluster = clusters[clusters.length - 1] ?? 0;
  const blockBefore = Math.max(...at(/\+ Simple block: .* at (\d+)/g).filter((block) => block < lastCluster));
  /** The size VINT at `at` set to the largest size its width holds, or (`unknown`) to all value bits set; returns the size. */
  const setLargestSize = (bytes: Buffer, at: number, unknown: boolean) => {
    const width = Math.clz32(bytes[at] ?? 0) - 23;
    if (width > 6) bytes.set([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, unknown ? 0xff : 0xfe], at);
    else bytes.writeUIntBE(2 ** (7 * width + 1) - (unknown ? 1 : 2), at, width);
    return 2 ** (7 * width) - 2;
  };
  const withUnknownSizes = () => {
    const bytes = Buffer.from(bytesOf);
    for (const master of [segmentAt, ...clusters]) setLargestSize(bytes, master + 4, true);
    return bytes;
  };
  const edited = (name: string, edit: (bytes: Buffer) => void) => {
    const bytes = withUnknownSizes();
    edit(bytes);
    return inspectJson(written(name, bytes), '--frames');
  };
  const whole = inspectJson(source, '--frames');
  const framesOf = (result: JsonReport) => result.frames?.map((f) => [f.offset, f.size]);
  assert.equal(whole.frames?.length, ffprobePackets(source).length);
  const producerLayout = edited('unknown-sizes.mkv', () => {});
  assert.deepEqual(producerLayout.issues, []);
  assert.deepEqual(framesOf(producerLayout), framesOf(whole));

  const hugeVoid = edited('unknown-sizes-huge-void.mkv', (bytes) => setLargestSize(bytes, voidAt + 1, false));
  assert.deepEqual(framesOf(hugeVoid), framesOf(whole));
  assert.deepEqual(hugeVoid.issues.map((i) => [i.code, i.offset]), [['EBML_INVALID_SIZE', voidAt]]);
  assert.match(hugeVoid.issues[0]?.message ?? '', new RegExp(`yet a top-level element starts inside it at ${infoAt}: its size is wrong, and it is taken to end there`));

  const hugeBlock = edited('unknown-sizes-huge-block.mkv', (bytes) => {
    assert.ok(blockBefore + setLargestSize(bytes, blockBefore + 1, false) > bytes.length, 'the block now runs past the input');
  });
  assert.deepEqual(framesOf(hugeBlock), framesOf(whole));
  assert.deepEqual(hugeBlock.fragments.map((f) => f.offset), clusters);
  assert.deepEqual(hugeBlock.issues.map((i) => [i.code, i.offset]), [['EBML_INVALID_SIZE', blockBefore]]);

  // The same block in the Cluster of known size: it runs past its Cluster, and ends where the next starts.
  const knownSizes = Buffer.from(bytesOf);
  setLargestSize(knownSizes, blockBefore + 1, false);
  const pastCluster = inspectJson(written('huge-block.mkv', knownSizes), '--frames');
  assert.deepEqual(framesOf(pastCluster), framesOf(whole));
  assert.deepEqual(pastCluster.issues.map((i) => [i.code, i.offset]), [['EBML_SIZE_PAST_PARENT', blockBefore]]);

  // Cut inside that block instead, the input is truncated (no top-level element inside what is left of it).
  const cut = inspectJson(written('unknown-sizes-cut.mkv', withUnknownSizes().subarray(0, blockBefore + 20)));
  assert.deepEqual(cut.issues.map((i) => [i.code, i.offset]), [['EBML_TRUNCATED', blockBefore]]);
});

/** A fragmented MP4 of six fragments made by ffmpeg, with its report (frames and tree) and ffprobe's packets, sorted by offset. */
const sixFragments = (() => {
  let made: { source: string; bytes: Buffer; whole: JsonReport; packets: number[][] } | undefined;
  return () => {
    if (made) return made;
    const source = join(dir, 'six-fragments.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '6', '-c:v', 'libx264', '-g', '25', '-c:a', 'aac', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', source]);
    const packets = ffprobePackets(source).map((packet) => [Number(packet.pos), Number(packet.size)]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
    made = { source, bytes: readFileSync(source), whole: inspectJson(source, '--frames', '--tree'), packets };
    return made;
  };
})();

const boxesOf = (report: JsonReport) => report.structure?.map((box) => [box.type, box.offset, box.size]);
const framesByOffset = (report: JsonReport) => report.frames?.map((f) => [f.offset, f.size]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));

/** `damaged` read as the undamaged file is (every frame ffprobe finds there, the same fragments and tree), with one more issue: [code, offset, message]. */
function assertReadAsWhole(damaged: Buffer, name: string, expected: [string, number, string]): void {
  const { whole, packets } = sixFragments();
  const result = inspectJson(written(`${name}.mp4`, damaged), '--frames', '--tree');
  assert.deepEqual(framesByOffset(result), packets, name);
  assert.deepEqual(result.fragments.map((f) => [f.offset, f.size, f.frameCount]), whole.fragments.map((f) => [f.offset, f.size, f.frameCount]), name);
  assert.deepEqual(boxesOf(result), boxesOf(whole), name);
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset]), [...whole.issues.map((i) => [i.code, i.offset]), expected.slice(0, 2)].sort((a, b) => Number(a[1]) - Number(b[1])), name);
  assert.equal(result.issues.find((i) => i.code === expected[0])?.message, expected[2], name);
}

test('a fragmented MP4 whose second mdat declares a wrong size (larger, smaller, past the end, 0): read as ending with its moof\'s samples, where the next moof starts, every frame ffprobe finds in the undamaged file', () => {
  const { bytes, whole, packets } = sixFragments();
  const mdat = whole.structure?.filter((box) => box.type === 'mdat')[1];
  const nextMoof = whole.structure?.find((box) => box.type === 'moof' && box.offset > (mdat?.offset ?? Infinity));
  assert.ok(mdat && nextMoof && nextMoof.offset === mdat.offset + mdat.size);
  assert.equal(whole.fragments.length, 6);
  assert.deepEqual(framesByOffset(whole), packets);

  for (const [name, declared] of [['larger', mdat.size + 3000], ['smaller', mdat.size - 3000], ['past-the-end', 0x7fff0000], ['size-0', 0]] as const) {
    const damaged = Buffer.from(bytes);
    damaged.writeUInt32BE(declared, mdat.offset);
    const said = declared === 0 ? `'mdat' has size 0 (to the end of the file)` : `'mdat' declares ${declared} bytes`;
    assertReadAsWhole(damaged, `mdat-${name}`, ['MDAT_SIZE_WRONG', mdat.offset, `${said}, but the samples of the moof before it end at byte ${nextMoof.offset}, where a 'moof' box starts: read as ${mdat.size} bytes, ending there`]);
  }

  // An mdat holding more than its moof's samples, with a box where its size says it ends, is read as declared.
  const padded = Buffer.concat([bytes.subarray(0, nextMoof.offset), Buffer.alloc(100), bytes.subarray(nextMoof.offset)]);
  padded.writeUInt32BE(mdat.size + 100, mdat.offset);
  const result = inspectJson(written('mdat-padded.mp4', padded), '--tree');
  assert.deepEqual(result.issues.map((i) => i.code), whole.issues.map((i) => i.code));
  assert.deepEqual(result.structure?.find((box) => box.offset === mdat.offset)?.size, mdat.size + 100);
  assert.equal(result.fragments.length, 6);
});

test('a fragmented MP4 whose moov runs past the end, whose moof declares 8 bytes, or whose traf has size 0: read by the boxes that belong in them, every frame ffprobe finds in the undamaged file', () => {
  const { bytes, whole } = sixFragments();
  const top = (type: string, index = 0) => whole.structure?.filter((box) => box.type === type)[index];
  const moov = top('moov');
  const moof = top('moof', 1);
  const firstMoof = top('moof');
  const mdat = top('mdat', 1);
  const trafs = moof?.children?.filter((box) => box.type === 'traf');
  assert.ok(moov && moof && firstMoof && mdat && trafs?.length === 2 && trafs[0] && trafs[1]);

  const moovPastEnd = Buffer.from(bytes);
  moovPastEnd.writeUInt32BE(bytes.length * 2, moov.offset);
  assertReadAsWhole(moovPastEnd, 'moov-past-the-end', ['BOX_SIZE_WRONG', moov.offset, `'moov' declares ${bytes.length * 2} bytes, only ${bytes.length - moov.offset} left in the file, but the boxes that belong in it end at byte ${firstMoof.offset}, where a 'moof' box starts: read as ${moov.size} bytes, ending there`]);

  const emptyMoof = Buffer.from(bytes);
  emptyMoof.writeUInt32BE(8, moof.offset);
  assertReadAsWhole(emptyMoof, 'moof-of-8-bytes', ['BOX_SIZE_WRONG', moof.offset, `'moof' declares 8 bytes, but the boxes that belong in it end at byte ${mdat.offset}, where a 'mdat' box starts: read as ${moof.size} bytes, ending there`]);

  const trafOfSizeZero = Buffer.from(bytes);
  trafOfSizeZero.writeUInt32BE(0, trafs[0].offset);
  assertReadAsWhole(trafOfSizeZero, 'traf-of-size-0', ['BOX_SIZE_WRONG', trafs[0].offset, `'traf' has size 0 (to the end) inside 'moof', where only the last box of a file may: read as ${trafs[0].size} bytes, up to the 'traf' at byte ${trafs[1].offset}`]);
});

test('a trun that declares fewer samples than it holds, and an mdhd timescale of 0, are errors (--checks exits 2); the frames are those ffprobe reads', () => {
  const { bytes, whole } = sixFragments();
  const moof = whole.structure?.filter((box) => box.type === 'moof')[1];
  const trun = moof?.children?.find((box) => box.type === 'traf')?.children?.find((box) => box.type === 'trun');
  assert.ok(trun);
  const countAt = trun.offset + 12;
  const shortRun = Buffer.from(bytes);
  shortRun.writeUInt32BE(bytes.readUInt32BE(countAt) - 5, countAt);
  const shortFile = written('trun-count-short.mp4', shortRun);
  const result = inspectJson(shortFile, '--frames');
  assert.deepEqual(framesByOffset(result), ffprobePackets(shortFile).map((packet) => [Number(packet.pos), Number(packet.size)]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0)));
  assert.equal(result.frames?.length, (whole.frames?.length ?? 0) - 5);
  const found = result.issues.find((i) => i.code === 'TRUN_SAMPLE_COUNT_SHORT');
  assert.deepEqual([found?.severity, found?.offset, found?.message], ['error', countAt, `trun declares ${bytes.readUInt32BE(countAt) - 5} samples but holds the entries of ${bytes.readUInt32BE(countAt)}: players read ${bytes.readUInt32BE(countAt) - 5} and lose the samples after them`]);
  assert.equal(kvsInspect(['--checks', shortFile]).status, 2);

  const mdhd = whole.structure?.find((box) => box.type === 'moov')?.children?.find((box) => box.type === 'trak')?.children?.find((box) => box.type === 'mdia')?.children?.find((box) => box.type === 'mdhd');
  assert.ok(mdhd);
  const timescaleAt = mdhd.offset + 20; // version 0: size, type, version and flags, two 32-bit times
  assert.equal(bytes.readUInt32BE(timescaleAt), 12800);
  const noTimescale = Buffer.from(bytes);
  noTimescale.writeUInt32BE(0, timescaleAt);
  const noTimescaleFile = written('mdhd-timescale-0.mp4', noTimescale);
  const timeless = inspectJson(noTimescaleFile, '--frames');
  assert.deepEqual(timeless.issues.map((i) => [i.severity, i.code, i.offset, i.message]), [
    ['error', 'MDHD_TIMESCALE_ZERO', timescaleAt, 'mdhd timescale is 0 units per second: none of the track\'s times can be turned into seconds'],
    ...whole.issues.filter((i) => i.code !== 'B_FRAMES').map((i) => [i.severity, i.code, i.offset, i.message]),
  ]);
  assert.equal(timeless.frames?.length, whole.frames?.length);
  assert.equal(kvsInspect(['--checks', noTimescaleFile]).status, 2);
});

test('a plain MP4 whose first chunk offset points outside every mdat: SAMPLE_DATA_OUTSIDE_MDAT at the first such sample, and the framing errors it causes say so', () => {
  const source = `${FIXTURES}/h264-aac.mp4`;
  const whole = inspectJson(source, '--tree');
  const stco = whole.structure?.find((box) => box.type === 'moov')?.children?.find((box) => box.type === 'trak')?.children?.find((box) => box.type === 'mdia')?.children?.find((box) => box.type === 'minf')?.children?.find((box) => box.type === 'stbl')?.children?.find((box) => box.type === 'stco');
  assert.ok(stco);
  const damaged = Buffer.from(readFileSync(source));
  damaged.writeUInt32BE(8, stco.offset + 16); // the first chunk_offset: inside the ftyp
  const result = inspectJson(written('stco-outside.mp4', damaged), '--frames');
  const outside = result.issues.find((i) => i.code === 'SAMPLE_DATA_OUTSIDE_MDAT');
  assert.equal(outside?.offset, 8);
  assert.match(outside?.message ?? '', /^track 1: \d+ of 50 samples \(the first is number 1, at byte 8\) are not inside any mdat: its chunk offsets point elsewhere$/);
  assert.ok(result.issues.some((i) => i.code.startsWith('NAL_') && /^This frame's bytes are not inside any mdat \(see SAMPLE_DATA_OUTSIDE_MDAT\)/.test(i.hint ?? '')));
});

test('a plain MP4 whose mdat has size 0 (to the end), hiding the moov after it: read as ending where the moov starts, every frame ffprobe finds in the undamaged file', () => {
  const source = `${FIXTURES}/h264-aac.mp4`;
  const bytes = readFileSync(source);
  const whole = inspectJson(source, '--frames', '--tree');
  const mdat = whole.structure?.find((box) => box.type === 'mdat');
  const moov = whole.structure?.find((box) => box.type === 'moov');
  assert.ok(mdat && moov && moov.offset === mdat.offset + mdat.size && moov.offset + moov.size === bytes.length);
  const damaged = Buffer.from(bytes);
  damaged.writeUInt32BE(0, mdat.offset);
  const file = written('plain-mdat-size-0.mp4', damaged);
  assert.throws(() => ffprobePackets(file), /moov atom not found/); // ffprobe gives up
  const result = inspectJson(file, '--frames', '--tree');
  assert.deepEqual(framesByOffset(result), framesByOffset(whole));
  assert.deepEqual(boxesOf(result), boxesOf(whole));
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset, i.message]), [['MDAT_SIZE_WRONG', mdat.offset, `'mdat' has size 0 (to the end of the file), but a 'moov' box ends the file at byte ${moov.offset}: read as ${mdat.size} bytes, ending there`], ...whole.issues.map((i) => [i.code, i.offset, i.message])]);
});

test('a truncated file reports what it read and the truncation offset', () => {
  const cut = Math.floor(original.length * 0.7);
  const file = written('truncated.mkv', original.subarray(0, cut));
  const result = inspectJson(file);
  assert.equal(result.tracks.length, 2);
  assert.ok(result.fragments.length >= 1);
  // one cut, one error: at the block the input ends in, naming the Cluster and the Segment around it
  assert.deepEqual(result.issues.map((i) => i.code), ['EBML_TRUNCATED']);
  // where mkvinfo puts the Segment, the last Cluster and the last block that starts before the cut
  const layout = execFileSync('mkvinfo', ['-P', '-v', SOURCE], { encoding: 'utf8' });
  const before = (pattern: RegExp) => [...layout.matchAll(pattern)].map((m) => Number(m[1])).filter((at) => at < cut).pop();
  const [segmentAt, clusterAt, blockAt] = [/\+ Segment: size \d+ at (\d+)/g, /\+ Cluster at (\d+)/g, /\+ Simple block: .* at (\d+)/g].map(before);
  assert.equal(result.issues[0]?.offset, blockAt);
  assert.match(result.issues[0]?.message ?? '', new RegExp(`^SimpleBlock at offset ${blockAt} needs \\d+ more bytes .*; the Cluster at offset ${clusterAt} and the Segment at offset ${segmentAt} around it are cut too \\(\\d+ and \\d+ bytes short\\)\\.$`));
});

test('a file cut inside a track\'s declaration (TrackEntry, trak): the track as far as it goes, marked cut, and the cut the only error, not what lies past it', () => {
  // Matroska, cut where the video's CodecPrivate data starts: its CodecID and TrackType read, no codec private data
  assert.ok(cpd);
  const mkv = inspectJson(written('cut-in-track-entry.mkv', original.subarray(0, cpd.offset)));
  assert.deepEqual(mkv.issues.map((i) => i.code), ['EBML_TRUNCATED']);
  assert.match(mkv.issues[0]?.message ?? '', /^CodecPrivate at offset \d+ needs \d+ more bytes .*; the TrackEntry at offset \d+, the Tracks at offset \d+ and the Segment at offset 40 around it are cut too/);
  assert.deepEqual(mkv.tracks.map((t) => [t.codecId, t.kind, t.declarationCut]), [['V_MPEG4/ISO/AVC', 'video', true]]);
  assert.match(kvsInspect([written('cut-in-track-entry.mkv', original.subarray(0, cpd.offset))]).stdout, /^ {2}1 video V_MPEG4\/ISO\/AVC .*\(declaration cut by the end of the input\)$/m);
  // MP4, cut inside the video's trak: before its stbl, and where its avcC starts
  const mp4 = readFileSync(`${FIXTURES}/h264-aac-frag.mp4`);
  const whole = inspectJson(`${FIXTURES}/h264-aac-frag.mp4`, '--tree');
  const trak = whole.structure?.find((node) => node.type === 'moov')?.children?.find((node) => node.type === 'trak');
  const avcC = whole.tracks[0]?.codecPrivate;
  assert.ok(trak && avcC);
  for (const [name, cut] of [['before-stbl', trak.offset + 40], ['at-avcC', avcC.offset]] as const) {
    const result = inspectJson(written(`cut-${name}.mp4`, mp4.subarray(0, cut)));
    assert.deepEqual(result.issues.map((i) => i.code), ['BOX_TRUNCATED'], name);
    assert.deepEqual(result.tracks.map((t) => [t.number, t.declarationCut]), [[1, true]], name);
  }
  assert.equal(whole.tracks.some((t) => t.declarationCut), false);
});

test('unreadable input: one line naming the offset, exit status 1', () => {
  const file = written('noise.bin', Buffer.from('this is not a video file at all'));
  const result = kvsInspect([file]);
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, `kvs-inspect: ${file}: Not a Matroska/WebM, MP4 or MPEG-TS stream but text, starting "this is not a video file at all": an error page or message saved in place of the media? (byte 0)\n`);
  const binary = written('noise-bytes.bin', Buffer.from([0x00, 0xff, 0x13, 0x80, 0x7f, 0x01, 0x02, 0x03, 0x04, 0xfe]));
  assert.equal(kvsInspect([binary]).stderr, `kvs-inspect: ${binary}: Not a Matroska/WebM, MP4 or MPEG-TS stream: no EBML header or box at the start, and no TS packets in the first 64 KiB. (byte 0)\n`);
  const empty = written('empty.mkv', Buffer.alloc(0));
  assert.deepEqual(kvsInspect([empty]), { status: 1, stdout: '', stderr: `kvs-inspect: ${empty}: The input is empty (0 bytes). (byte 0)\n` });
  const oneByte = written('one-byte.ts', Buffer.from('G'));
  assert.deepEqual(kvsInspect(['--checks', oneByte]), { status: 1, stdout: '', stderr: `kvs-inspect: ${oneByte}: Only 1 byte, starting with an MPEG-TS sync byte: less than one 188-byte packet. (byte 0)\n` });
  assert.match(kvsInspect([join(dir, 'missing.mkv')]).stderr, /^kvs-inspect: cannot read .*missing\.mkv: ENOENT\n$/);
  const directory = kvsInspect([dir]);
  assert.equal(directory.status, 1);
  assert.equal(directory.stderr, `kvs-inspect: cannot read ${dir}: is a directory\n`);
});

test('an MP4 whose ftyp type is damaged is still read as MP4: its size leads to the moov', () => {
  const source = `${FIXTURES}/h264-aac.mp4`;
  const damaged = Buffer.from(readFileSync(source));
  assert.equal(damaged.toString('latin1', 4, 8), 'ftyp');
  damaged[6] = (damaged[6] ?? 0) ^ 0xff;
  const result = inspectJson(written('ftyp-type.mp4', damaged), '--frames');
  const whole = inspectJson(source, '--frames');
  assert.equal(result.format, 'mp4');
  assert.deepEqual(result.frames, whole.frames);
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset]), [['BOX_TYPE_INVALID', 0], ...whole.issues.map((i) => [i.code, i.offset])]);
});

test('a plain MP4 or MOV cut short, its moov first: the samples past the cut, per track, where ffprobe places them', () => {
  // (QuickTime's PCM is listed in rows of up to 1024 samples, as ffmpeg reads it.)
  for (const [name, noted, audioRows] of [['h264-aac.mp4', [], 'samples'], ['h264-alaw.mov', ['G711_NOT_PACKAGED_EVERYWHERE'], 'rows of samples']] as const) {
    const whole = join(dir, `faststart-${name}`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', `${FIXTURES}/${name}`, '-map', '0', '-c', 'copy', '-movflags', '+faststart', whole]);
    const bytes = readFileSync(whole);
    const cut = Math.floor(bytes.length * 0.7);
    const file = written(`cut-${name}`, bytes.subarray(0, cut));
    // The samples (PCM: the groups ffmpeg reads as one packet) whose bytes end past the cut, per stream.
    const pastCut = [0, 0];
    for (const packet of ffprobePackets(whole)) if (Number(packet.pos) + Number(packet.size) > cut) pastCut[packet.stream_index] = (pastCut[packet.stream_index] ?? 0) + 1;
    const result = kvsInspect(['--json', '--frames', '--checks', file]);
    assert.equal(result.status, 2, name);
    const found = (JSON.parse(result.stdout) as JsonReport).issues;
    assert.deepEqual(found.map((i) => i.code).sort(), ['BOX_TRUNCATED', ...noted, 'SAMPLE_DATA_PAST_END', 'SAMPLE_DATA_PAST_END'], name);
    found.filter((i) => i.code === 'SAMPLE_DATA_PAST_END').forEach((i, track) => {
      assert.equal(bytes.subarray(i.offset + 4, i.offset + 8).toString('latin1'), 'stco', name);
      assert.match(i.message, new RegExp(`^track ${track + 1}: ${pastCut[track]} of \\d+ ${track === 0 ? 'samples' : audioRows} \\(.* past the end of the data \\(${cut}\\)`), name);
    });
  }
});

test('a plain MP4 cut before its moov (a recording stopped before it was closed): the missing movie named, with the mdat, and how to record so it cannot happen', () => {
  const bytes = readFileSync(`${FIXTURES}/h264-aac.mp4`);
  const moov = bytes.indexOf('moov') - 4;
  const mdat = bytes.indexOf('mdat') - 4;
  assert.ok(mdat > 0 && moov > mdat, 'the fixture keeps its moov after its media data');
  const result = inspectJson(written('cut-before-moov.mp4', bytes.subarray(0, Math.floor((mdat + moov) / 2))));
  assert.deepEqual([result.tracks, result.frames], [[], undefined]);
  assert.deepEqual(result.issues.map((i) => [i.code, i.offset]), [['NO_MOVIE', 0], ['BOX_TRUNCATED', mdat]]);
  const noMovie = result.issues[0];
  assert.match(noMovie?.message ?? '', new RegExp(`^media data \\(the mdat at byte ${mdat}\\) but neither moov nor moof`));
  assert.match(noMovie?.hint ?? '', /-movflags \+frag_keyframe\+empty_moov/);
});

test('a faststart MP4 cut inside its video stco: the samples no chunk holds are left out, not read as frames at byte 0', () => {
  const whole = join(dir, 'faststart-stco.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', `${FIXTURES}/h264-aac.mp4`, '-map', '0', '-c', 'copy', '-movflags', '+faststart', whole]);
  assert.equal(ffprobeStreams(whole)[0]?.codec_type, 'video', 'the first trak, whose stco comes first, is the video');
  const bytes = readFileSync(whole);
  const stco = bytes.indexOf('stco') - 4;
  const entries = bytes.readUInt32BE(stco + 12);
  const kept = Math.floor(entries / 2);
  // Half an entry past the kept ones: the cut falls inside an entry.
  const file = written('cut-in-stco.mp4', bytes.subarray(0, stco + 16 + kept * 4 + 2));
  const video = ffprobePackets(whole).filter((packet) => packet.stream_index === 0);
  const firstLostChunk = bytes.readUInt32BE(stco + 16 + kept * 4);
  const placed = video.filter((packet) => Number(packet.pos) < firstLostChunk);
  assert.ok(placed.length > 0 && placed.length < video.length);

  const result = inspectJson(file, '--frames');
  assert.deepEqual(result.issues.map((i) => i.code).sort(), ['BOX_TRUNCATED', 'CHUNK_TABLE_SHORT', 'SAMPLE_DATA_PAST_END']);
  const short = result.issues.find((i) => i.code === 'CHUNK_TABLE_SHORT');
  assert.equal(short?.offset, stco);
  assert.equal(short?.message, `track 1: stsc/stco place ${placed.length} of ${video.length} samples; the other ${video.length - placed.length} are left out`);
  // The frames are the placed samples, where ffprobe finds them in the whole file: none at byte 0.
  assert.deepEqual(result.frames?.map((frame) => [frame.offset, frame.size]), placed.map((packet) => [Number(packet.pos), Number(packet.size)]));
  assert.ok(result.fragments.every((fragment) => fragment.keyframeStart));
});

test('a WebM that ffmpeg stopped writing before its first frame (no Tracks, no Cluster) is MKV_NO_TRACKS, which mkvinfo shows too; a GetMedia error document and a cut file are not', () => {
  const file = join(dir, 'failed.webm');
  // WebM takes no H.264: ffmpeg fails after writing the EBML header and a Segment with Info only.
  assert.throws(() => execFileSync('ffmpeg', ['-v', 'quiet', '-f', 'lavfi', '-i', 'testsrc2=d=1', '-c:v', 'libx264', '-y', file]));
  const mkvinfo = execFileSync('mkvinfo', [file], { encoding: 'utf8' });
  assert.match(mkvinfo, /Segment information/);
  assert.doesNotMatch(mkvinfo, /\+ (Tracks|Cluster)\n/);
  const segmentAt = readFileSync(file).indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67]));
  const result = inspectJson(file);
  assert.deepEqual(result.issues.map((found) => [found.severity, found.code, found.offset]), [['warning', 'MKV_NO_TRACKS', segmentAt]]);
  assert.match(result.issues[0]?.message ?? '', new RegExp(`the Segment at offset ${segmentAt} has neither a TrackEntry nor a Cluster`));
  // The same bytes cut inside the Segment: the cut is what is wrong.
  assert.deepEqual(inspectJson(written('failed-cut.webm', readFileSync(file).subarray(0, segmentAt + 20))).issues.map((found) => found.code), ['EBML_TRUNCATED']);
  const errorOnly = inspectJson(written('get-media-error.mkv', getMediaErrorChunk({ errorCode: 'FRAGMENT_NOT_FOUND', errorId: 3000, fragmentNumber: '9' })));
  assert.ok(!errorOnly.issues.some((found) => found.code === 'MKV_NO_TRACKS'), JSON.stringify(errorOnly.issues));
});

test('an MPEG-TS whose every PMT has a damaged CRC_32: one error, and the tracks and frames ffprobe reads', () => {
  const source = `${FIXTURES}/h264-aac.ts`;
  const bytes = Buffer.from(readFileSync(source));
  const whole = inspectJson(source, '--frames');
  let pmts = 0;
  for (let at = 0; at + 188 <= bytes.length; at += 188) {
    const pid = ((bytes[at + 1] ?? 0) & 0x1f) * 256 + (bytes[at + 2] ?? 0);
    if (pid !== 0x1000 || ((bytes[at + 1] ?? 0) & 0x40) === 0) continue;
    const section = at + 5 + (bytes[at + 4] ?? 0);
    const sectionLength = ((bytes[section + 1] ?? 0) & 0x0f) * 256 + (bytes[section + 2] ?? 0);
    bytes[section + 3 + sectionLength - 1] = (bytes[section + 3 + sectionLength - 1] ?? 0) ^ 0x01; // CRC_32's last byte
    pmts++;
  }
  assert.ok(pmts > 1);
  const file = written('pmt-crc.ts', bytes);
  const result = inspectJson(file, '--frames');
  assert.deepEqual(result.tracks.map((t) => t.codec), whole.tracks.map((t) => t.codec));
  assert.deepEqual(result.frames, whole.frames);
  assert.equal(result.frames?.length, ffprobePackets(file).length);
  assert.deepEqual(result.issues.map((i) => [i.code, i.message]), [['TS_PSI_CRC_ERROR', 'PID 4096: CRC_32 of table 0x2 does not match; read as it is, as no copy with a good CRC came before it']]);
});

test('a capture that starts part-way through a document (not at an EBML header) is still Matroska: the documents after it are read whole', () => {
  const cut = 20000;
  const tail = original.subarray(cut);
  const file = written('from-mid.mkv', Buffer.concat([tail, original]));
  const result = inspectJson(file, '--frames');
  assert.equal(result.format, 'matroska');
  const second = result.frames?.filter((f) => f.offset >= tail.length).map((f) => ({ ...f, offset: f.offset - tail.length }));
  assert.deepEqual(second?.map((f) => [f.track, f.offset, f.size, f.keyframe]), report.frames?.map((f) => [f.track, f.offset, f.size, f.keyframe]));
  assert.equal(result.issues[0]?.offset, 0);
});

test('a Matroska file cut inside a video frame: the frame is marked cut, and its bytes are not judged as framing (a 4-byte length of 256-511 reads as a start code)', () => {
  const videoFrames = report.frames?.filter((f) => f.track === video?.number) ?? [];
  const lengthLikeStartCode = videoFrames.find((f) => original.readUInt32BE(f.offset) >= 256 && original.readUInt32BE(f.offset) < 512);
  assert.ok(lengthLikeStartCode, 'the fixture has a frame whose first NAL length starts 00 00 01');
  for (const frame of [lengthLikeStartCode, videoFrames[videoFrames.length - 1]]) {
    const cut = frame?.offset ?? 0;
    const file = written('cut-in-frame.mkv', original.subarray(0, cut + 50));
    const checked = kvsInspect(['--json', '--frames', '--checks', file]); // --checks: every frame's framing judged
    assert.equal(checked.status, 2);
    const result = JSON.parse(checked.stdout) as JsonReport;
    // (The Segment, the Cluster and the block are cut.)
    assert.deepEqual([...new Set(result.issues.filter((i) => i.severity === 'error').map((i) => i.code))], ['EBML_TRUNCATED'], `cut at ${cut}`);
    assert.ok(!result.issues.some((i) => i.code.startsWith('NAL_') || i.code.startsWith('INBAND_')), `cut at ${cut}`);
    const last = result.frames?.filter((f) => f.track === video?.number).at(-1);
    assert.deepEqual([last?.offset, last?.size, last?.cut], [cut, 50, true]);
    assert.equal(kvsInspect(['--frames', file]).stdout.match(/cut short/g)?.length, 1);
  }
});

test('a stream that repeats its faults 100 000 times: every output is written, with the first 100 issues of each code and a count of the rest', () => {
  const count = 100_000;
  const mp4 = written('repeated-faults.mp4', repeatedFaultFragments(count).bytes);
  // 100 000 KVS fragments as GetMedia returns them, one EBML document each, whose codec private data alternates.
  const avcC = ['h264-baseline.mkv', 'h264-high.mkv'].map((name) => {
    const record = inspectJson(`${FIXTURES}/${name}`).tracks[0]?.codecPrivate;
    assert.ok(record);
    return readFileSync(`${FIXTURES}/${name}`).subarray(record.offset, record.offset + record.size);
  });
  const documents = avcC.map((record) => concat(
    element(ElementId.EBML, stringElement(ElementId.DocType, 'matroska')),
    unknownSizeElement(ElementId.Segment, 8,
      element(ElementId.Tracks, element(ElementId.TrackEntry, uintElement(ElementId.TrackNumber, 1), uintElement(ElementId.TrackType, 1), stringElement(ElementId.CodecID, 'V_MPEG4/ISO/AVC'), element(ElementId.CodecPrivate, record))),
      element(ElementId.Cluster, uintElement(ElementId.Timestamp, 0), element(ElementId.SimpleBlock, blockData(1, 0, 0x80, [0, 0, 0, 2, 0x65, 0x88])))),
  ));
  const mkvBytes = new Uint8Array(documents.reduce((n, d) => n + d.length, 0) * (count / 2));
  for (let k = 0, at = 0; k < count; at += documents[k % 2]?.length ?? 0, k++) mkvBytes.set(documents[k % 2] ?? [], at);
  const mkv = written('alternating-codec-private.mkv', mkvBytes);

  const expected: [string, Record<string, number>, string[]][] = [
    [mp4, { MFHD_SEQUENCE_NOT_INCREASING: 100, SAMPLE_DATA_OUTSIDE_MDAT: 100 }, [
      "99900 more 'SAMPLE_DATA_OUTSIDE_MDAT' issues not listed (100000 in all)",
      "99899 more 'MFHD_SEQUENCE_NOT_INCREASING' issues not listed (99999 in all)",
    ]],
    [mkv, { CODEC_PRIVATE_CHANGED: 100 }, ["99899 more 'CODEC_PRIVATE_CHANGED' issues not listed (99999 in all)"]],
  ];
  for (const [file, listed, suppressed] of expected) {
    const json = inspectJson(file);
    assert.equal(json.fragments.length, count);
    for (const [code, n] of Object.entries(listed)) assert.equal(json.issues.filter((found) => found.code === code).length, n, code);
    assert.deepEqual(json.issues.filter((found) => found.code === 'ISSUES_SUPPRESSED').map((found) => found.message), suppressed);
    const text = kvsInspect([file]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`${count.toLocaleString('en-US')} fragments`));
    for (const message of suppressed) assert.ok(text.stdout.includes(message), message);
  }
});

test('more errors of one code than are listed: the count of the rest is an error too, and the heading counts every error', () => {
  // Every packet of the streams' PIDs jumps its continuity_counter by 2: an error per packet after the first.
  const bytes = Buffer.from(readFileSync(`${FIXTURES}/h264-aac.ts`));
  for (let at = 0; at + 188 <= bytes.length; at += 188) {
    const pid = bytes.readUInt16BE(at + 1) & 0x1fff;
    if (pid >= 0x100 && pid !== 0x1fff) bytes[at + 3] = ((bytes[at + 3] ?? 0) & 0xf0) | ((at / 94) & 0x0f);
  }
  const file = written('every-counter-jumps.ts', bytes);
  const json = inspectJson(file);
  const ccErrors = json.issues.filter((found) => found.code === 'TS_CC_ERROR');
  assert.equal(ccErrors.length, 100);
  const [suppressed, ...more] = json.issues.filter((found) => found.code === 'ISSUES_SUPPRESSED');
  assert.equal(more.length, 0);
  assert.equal(suppressed?.severity, 'error');
  const total = 100 + (suppressed?.notListed ?? 0);
  assert.ok(total > 300, `${total} counter errors`);
  assert.equal(suppressed?.message, `${total - 100} more 'TS_CC_ERROR' issues not listed (${total} in all)`);
  assert.ok((suppressed?.offset ?? 0) > (ccErrors.at(-1)?.offset ?? Infinity), 'at the first error not listed, after the last one listed');
  const errors = json.issues.reduce((n, found) => (found.severity === 'error' ? n + (found.notListed ?? 1) : n), 0);
  assert.ok(errors >= total);
  const text = kvsInspect(['--checks', file]);
  assert.equal(text.status, 2);
  assert.match(text.stdout, new RegExp(`^Issues \\(${errors.toLocaleString('en-US')} errors\\)$`, 'm'));
});
