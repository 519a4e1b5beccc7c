// Hand-made and damaged Matroska: every problem becomes an issue with an offset, nothing throws.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readTree } from '../../../../src/formats/ebml/tree';
import { readBlockFrames } from '../../../../src/formats/matroska/blockFrames';
import { BlockFlag, Lacing } from '../../../../src/formats/matroska/blockTable';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { matroskaSchema } from '../../../../src/formats/matroska/schema';
import type { Bytes } from '../ebml/ebmlBytes';
import {
  blockData,
  concat,
  element,
  filled,
  floatElement,
  idBytes,
  sizeBytes,
  stringElement,
  uintElement,
  unknownSize,
  unknownSizeElement,
} from '../ebml/ebmlBytes';

const ebmlHeader = element(Id.EBML, stringElement(Id.DocType, 'matroska'));
const avcTrack = element(
  Id.TrackEntry,
  uintElement(Id.TrackNumber, 1),
  uintElement(Id.TrackUID, 0xf712523343537c2fn),
  uintElement(Id.TrackType, 1),
  stringElement(Id.CodecID, 'V_MPEG4/ISO/AVC'),
  element(Id.CodecPrivate, [1, 0x4d, 0x40, 0x1e]),
  element(Id.Video, uintElement(Id.PixelWidth, 640), uintElement(Id.PixelHeight, 480)),
);
const g711Track = element(
  Id.TrackEntry,
  uintElement(Id.TrackNumber, 2),
  uintElement(Id.TrackType, 2),
  stringElement(Id.CodecID, 'A_MS/ACM'),
  element(Id.CodecPrivate, filled(18)),
  element(Id.Audio, floatElement(Id.SamplingFrequency, 8000), uintElement(Id.Channels, 2)),
);
const tracks = element(Id.Tracks, avcTrack, g711Track);
const simpleBlock = (track: number, rel: number, flags: number, payload: Bytes = filled(10)): Uint8Array =>
  element(Id.SimpleBlock, blockData(track, rel, flags, payload));
const cluster = (timestamp: number, ...blocks: Uint8Array[]): Uint8Array => element(Id.Cluster, uintElement(Id.Timestamp, timestamp), ...blocks);
const file = (...segmentChildren: Uint8Array[]): Uint8Array => concat(ebmlHeader, element(Id.Segment, ...segmentChildren));
const read = (bytes: Uint8Array, blocks = true) => readMatroska(bytesSource(bytes), { blocks });
const codes = (mkv: ReturnType<typeof read>): string[] => mkv.issues.map((i) => i.code);

test('a clean hand-made file has no issues', () => {
  const mkv = read(file(element(Id.Info, uintElement(Id.TimestampScale, 1_000_000)), tracks, cluster(0, simpleBlock(1, 0, 0x80), simpleBlock(2, 5, 0x80))));
  assert.deepEqual(mkv.issues, []);
  const [video, audio] = mkv.documents[0]?.segments[0]?.tracks ?? [];
  assert.equal(video?.uid, String(0xf712523343537c2fn));
  assert.deepEqual(video?.video, { pixelWidth: 640, pixelHeight: 480 });
  assert.deepEqual(audio?.audio, { samplingFrequency: 8000, channels: 2 });
  assert.deepEqual(audio?.codecPrivate?.bytes, filled(18));
});

test('SimpleBlock flags, BlockGroup keyframes and ReferenceBlock', () => {
  const group = (rel: number, ...extra: Uint8Array[]): Uint8Array => element(Id.BlockGroup, element(Id.Block, blockData(1, rel, 0, filled(7))), ...extra);
  const mkv = read(
    file(
      tracks,
      cluster(
        100,
        simpleBlock(1, -3, 0x80 | 0x08 | 0x01),
        simpleBlock(1, 40, 0x00),
        group(80),
        group(120, element(Id.ReferenceBlock, [0xd8])),
        element(Id.BlockGroup, element(Id.ReferenceBlock, [0xd8]), element(Id.Block, blockData(1, 160, 0x08, filled(7)))),
      ),
    ),
  );
  assert.deepEqual(mkv.issues, []);
  const { flags, relativeTimecode, timecode, payloadSize } = mkv.blocks;
  assert.deepEqual([...flags], [
    BlockFlag.Key | BlockFlag.Invisible | BlockFlag.Discardable,
    0,
    BlockFlag.InBlockGroup | BlockFlag.Key,
    BlockFlag.InBlockGroup,
    BlockFlag.InBlockGroup | BlockFlag.Invisible,
  ]);
  assert.deepEqual([...relativeTimecode], [-3, 40, 80, 120, 160]);
  assert.deepEqual([...timecode], [97, 140, 180, 220, 260]);
  assert.deepEqual([...payloadSize], [10, 10, 7, 7, 7]);
});

test('lacing: fixed, Xiph and EBML frame sizes, and lacing that does not fit', () => {
  const fixed = simpleBlock(2, 0, 0x80 | 0x04, concat([2], filled(30)));
  const xiph = simpleBlock(2, 1, 0x80 | 0x02, concat([2, 255, 5, 3], filled(270)));
  const ebml = simpleBlock(2, 2, 0x80 | 0x06, concat([2], sizeBytes(100), [0xbf - 10 + 0x00], filled(280))); // sizes 100, 100 - 10, rest
  const badFixed = simpleBlock(2, 3, 0x80 | 0x04, concat([2], filled(31)));
  const badXiph = simpleBlock(2, 4, 0x80 | 0x02, concat([1, 255, 255, 10], filled(20)));
  const badEbml = simpleBlock(2, 5, 0x80 | 0x06, concat([2], sizeBytes(5), [0x80], filled(20))); // second size 5 - 63 < 0
  const bytes = file(tracks, cluster(0, fixed, xiph, ebml, badFixed, badXiph, badEbml));
  const mkv = read(bytes);
  const source = bytesSource(bytes);
  assert.deepEqual(codes(mkv), ['MKV_LACING_OVERFLOW', 'MKV_LACING_OVERFLOW', 'MKV_LACING_OVERFLOW']);
  assert.deepEqual([...mkv.blocks.lacing], [Lacing.Fixed, Lacing.Xiph, Lacing.Ebml, Lacing.Fixed, Lacing.Xiph, Lacing.Ebml]);
  assert.deepEqual([...mkv.blocks.frameCount], [3, 3, 3, 3, 2, 3]);
  const sizes = (i: number): number[] => readBlockFrames(source, mkv.blocks, i).map((f) => f.size);
  assert.deepEqual(sizes(0), [10, 10, 10]);
  assert.deepEqual(sizes(1), [260, 3, 7]);
  assert.deepEqual(sizes(2), [100, 90, 90]);
  assert.deepEqual(sizes(3), [], 'unreadable lacing gives no frames');
  const frames = readBlockFrames(source, mkv.blocks, 1);
  assert.equal(frames[1]?.offset, (frames[0]?.offset ?? 0) + 260);
  const overflowOffsets = mkv.issues.map((i) => i.offset);
  assert.deepEqual(overflowOffsets, [3, 4, 5].map((i) => mkv.blocks.offset[i]));
});

test('blocks of undeclared tracks are reported once per track, with a count', () => {
  const mkv = read(file(tracks, cluster(0, simpleBlock(1, 0, 0x80), simpleBlock(5, 0, 0x80), simpleBlock(5, 1, 0)), cluster(10, simpleBlock(7, 0, 0x80))));
  assert.deepEqual(codes(mkv), ['MKV_UNDECLARED_TRACK', 'MKV_UNDECLARED_TRACK']);
  assert.match(mkv.issues[0]?.message ?? '', /^2 blocks .* track 5/);
  assert.equal(mkv.issues[0]?.offset, mkv.blocks.offset[1]);
  assert.equal(mkv.issues[1]?.offset, mkv.blocks.offset[3]);
});

test('a missing CodecPrivate is a warning where KVS needs it, info elsewhere, nothing where the codec has none', () => {
  const noCpd = element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 1), stringElement(Id.CodecID, 'V_MPEGH/ISO/HEVC'));
  const emptyCpd = element(Id.TrackEntry, uintElement(Id.TrackNumber, 3), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_AAC'), element(Id.CodecPrivate));
  const vorbisTrack = element(Id.TrackEntry, uintElement(Id.TrackNumber, 2), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_VORBIS'));
  const pcmTrack = element(Id.TrackEntry, uintElement(Id.TrackNumber, 4), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, 'A_PCM/INT/LIT'));
  const bytes = file(element(Id.Tracks, noCpd, vorbisTrack, emptyCpd, pcmTrack));
  const mkv = read(bytes);
  assert.deepEqual(
    mkv.issues.map((i) => [i.code, i.severity, i.hint !== undefined]),
    [
      ['MKV_CODEC_PRIVATE_MISSING', 'warning', true],
      ['MKV_CODEC_PRIVATE_MISSING', 'info', false],
      ['MKV_CODEC_PRIVATE_MISSING', 'warning', true],
    ],
  );
  const entries = readTree(bytesSource(bytes), matroskaSchema()).nodes[1]?.children?.[0]?.children ?? [];
  assert.deepEqual(
    mkv.issues.map((i) => i.offset),
    entries.slice(0, 3).map((e) => e.offset), // not the PCM track's
  );
  assert.match(mkv.issues[2]?.message ?? '', /empty CodecPrivate/);
});

test('a TrackEntry repeated in a second Tracks element: the first stands, a different copy is reported', () => {
  const entry = (codecId: string) => element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackType, 2), stringElement(Id.CodecID, codecId));
  const same = read(file(element(Id.Tracks, entry('A_VORBIS')), element(Id.Tracks, entry('A_VORBIS'))));
  assert.deepEqual([same.documents[0]?.segments[0]?.tracks.length, codes(same)], [1, ['MKV_CODEC_PRIVATE_MISSING']]);
  const bytes = file(element(Id.Tracks, entry('A_VORBIS')), element(Id.Tracks, entry('A_OPUS')));
  const different = read(bytes);
  assert.deepEqual(different.documents[0]?.segments[0]?.tracks.map((track) => track.codecId), ['A_VORBIS']);
  assert.deepEqual(codes(different), ['MKV_CODEC_PRIVATE_MISSING', 'MKV_TRACK_REPEATED']);
  assert.match(different.issues[1]?.message ?? '', /^A second TrackEntry for track 1 \(A_OPUS\) differs from the first \(at offset \d+\), which is used\.$/);
});

test('blocks too short for a header, zero-size blocks, and a zero TimestampScale', () => {
  const mkv = read(
    file(
      element(Id.Info, element(Id.TimestampScale)),
      tracks,
      cluster(0, element(Id.SimpleBlock), element(Id.SimpleBlock, [0x81, 0]), element(Id.SimpleBlock, [0x00, 0, 0, 0x80]), simpleBlock(1, 0, 0x80)),
    ),
  );
  assert.deepEqual(codes(mkv), ['EBML_ZERO_SIZE', 'MKV_BAD_TIMESTAMP_SCALE', 'MKV_INVALID_BLOCK', 'MKV_INVALID_BLOCK', 'MKV_INVALID_BLOCK']);
  assert.equal(mkv.documents[0]?.segments[0]?.info.timestampScale, 1_000_000);
  assert.equal(mkv.blocks.count, 1);
  assert.equal(mkv.clusters[0]?.blockCount, 4);
});

test('TimestampScale applies to clusters and blocks even when Info comes after them', () => {
  const mkv = read(file(tracks, cluster(20000, simpleBlock(1, 100, 0x80)), element(Id.Info, uintElement(Id.TimestampScale, 100_000), floatElement(Id.Duration, 30000))));
  assert.deepEqual(mkv.issues, []);
  assert.equal(mkv.clusters[0]?.timeMs, 2000);
  assert.equal(mkv.fragments[0]?.timeMs, 2000);
  assert.equal(mkv.blocks.timeMs[0], 2010);
  assert.equal(mkv.documents[0]?.segments[0]?.info.durationMs, 3000);
});

test('block times follow a Timestamp that comes after blocks, and Void/CRC-32 between blocks change nothing', () => {
  const late = element(Id.Cluster, simpleBlock(1, 10, 0x80), element(Id.Void, filled(3)), uintElement(Id.Timestamp, 500), simpleBlock(2, 20, 0x80));
  const unknown = concat(idBytes(Id.Cluster), unknownSize(8), uintElement(Id.Timestamp, 1000), element(Id.CRC32, filled(4)), simpleBlock(1, -5, 0x80));
  const mkv = read(file(element(Id.Info, uintElement(Id.TimestampScale, 1_000_000)), tracks, late, unknown));
  assert.deepEqual(mkv.issues, []);
  assert.deepEqual([...mkv.blocks.timecode], [510, 520, 995]);
  assert.deepEqual([...mkv.blocks.timeMs], [510, 520, 995]);
  assert.deepEqual([...mkv.blocks.cluster], [0, 0, 1]);
  assert.deepEqual(mkv.clusters.map((c) => [c.timecode, c.blockCount]), [[500, 2], [1000, 1]]);
});

test('KVS producer stream: unknown sizes, Tags between clusters belong to the next cluster', () => {
  const userTag = (name: string, value: string): Uint8Array =>
    element(Id.Tags, element(Id.Tag, element(Id.SimpleTag, stringElement(Id.TagName, name), stringElement(Id.TagString, value))));
  const kvsCluster = (ts: number): Uint8Array => unknownSizeElement(Id.Cluster, 1, uintElement(Id.Timestamp, ts), simpleBlock(1, 0, 0x80));
  const bytes = concat(
    ebmlHeader,
    unknownSizeElement(Id.Segment, 1, element(Id.Info, uintElement(Id.TimestampScale, 1_000_000)), tracks, kvsCluster(0), userTag('camera', 'front'), kvsCluster(2000), kvsCluster(4000), userTag('last', 'x')),
  );
  const mkv = read(bytes);
  assert.deepEqual(mkv.issues, []);
  assert.deepEqual(
    mkv.fragments.map((f) => [f.timecode, f.tags.map((t) => `${t.name}=${t.value ?? ''}`), f.kvs]),
    [
      [0, [], undefined],
      [2000, ['camera=front'], undefined],
      [4000, ['last=x'], undefined],
    ],
  );
  assert.equal(mkv.clusters[0]?.end, mkv.fragments[0]?.end);
  assert.equal(mkv.documents[0]?.segments[0]?.tags.length, 2);
});

test('elements outside a Segment and a Segment without EBML header are still read', () => {
  const orphan = read(concat(cluster(0, simpleBlock(1, 0, 0x80)), cluster(40, simpleBlock(1, 0, 0x80))));
  assert.deepEqual(codes(orphan), ['MKV_OUTSIDE_SEGMENT', 'MKV_UNDECLARED_TRACK']);
  assert.equal(orphan.clusters.length, 2);
  assert.equal(orphan.blocks.count, 2);
  assert.equal(orphan.documents[0]?.header, null);
  assert.equal(orphan.documents[0]?.segments[0]?.end, orphan.clusters[1]?.end);

  const headless = read(element(Id.Segment, tracks, cluster(0, simpleBlock(1, 0, 0x80))));
  assert.deepEqual(codes(headless), ['MKV_MISSING_EBML_HEADER']);
  const wrongDocType = read(concat(element(Id.EBML, stringElement(Id.DocType, 'webmx')), element(Id.Segment)));
  assert.deepEqual(codes(wrongDocType), ['MKV_UNEXPECTED_DOCTYPE', 'MKV_NO_TRACKS']);
});

test('a fixture cut at many points: never throws, keeps what is before the cut', () => {
  const full = new Uint8Array(readFileSync(join(import.meta.dirname, '../../../fixtures/media/h264-aac.mkv')));
  const whole = read(full);
  const cuts = new Set<number>();
  for (let cut = 0; cut < full.length; cut += 211) cuts.add(cut);
  for (let i = 0; i < whole.blocks.count; i++) {
    const at = whole.blocks.offset[i] ?? 0;
    for (const delta of [-1, 0, 1, 2, 3, 4, 5]) cuts.add(Math.max(0, at + delta));
  }
  for (const c of whole.clusters) for (const delta of [0, 1, 4, 6, 7, 9]) cuts.add(c.offset + delta);
  for (const cut of cuts) {
    const part = full.subarray(0, cut);
    const mkv = read(part);
    for (const blocks of [true, false]) assert.doesNotThrow(() => read(part, blocks));
    let complete = 0;
    while (complete < whole.blocks.count && (whole.blocks.payloadOffset[complete] ?? 0) + (whole.blocks.payloadSize[complete] ?? 0) <= cut) complete++;
    assert.ok(mkv.blocks.count >= complete && mkv.blocks.count <= complete + 1, `cut ${cut}: ${mkv.blocks.count} blocks, ${complete} complete`);
    for (let i = 0; i < complete; i++) {
      assert.equal(mkv.blocks.offset[i], whole.blocks.offset[i]);
      assert.equal(mkv.blocks.timecode[i], whole.blocks.timecode[i]);
    }
    if (cut > 0 && cut < full.length) assert.ok(codes(mkv).includes('EBML_TRUNCATED'), `cut ${cut}: ${codes(mkv).join()}`);
    for (const i of mkv.issues) assert.ok(i.offset >= 0 && i.offset <= cut);
  }
});

test('issues are capped per code, the structure and model ones alike: a fault repeated in every block does not hide another after it', () => {
  const bad = Array.from({ length: 30 }, (_, i) => element(Id.SimpleBlock, [0x81, 0, i]));
  const unknowns = Array.from({ length: 30 }, () => concat([0x5f, 0x01], sizeBytes(0)));
  const last = element(Id.SimpleBlock, [0x87, 0, 0, 0x80, 1, 2, 3]); // track 7, which the Tracks do not declare
  const mkv = readMatroska(bytesSource(file(tracks, cluster(0, ...bad, ...unknowns, last))), { maxIssuesPerCode: 10 });
  const count = (code: string): number => codes(mkv).filter((c) => c === code).length;
  assert.deepEqual([count('MKV_INVALID_BLOCK'), count('EBML_UNKNOWN_ELEMENT'), count('MKV_UNDECLARED_TRACK')], [10, 10, 1]);
  const suppressed = mkv.issues.filter((i) => i.code === 'ISSUES_SUPPRESSED').map((i) => [i.severity, i.message, i.notListed]);
  assert.deepEqual(suppressed, [
    ['error', "20 more 'MKV_INVALID_BLOCK' issues not listed (30 in all)", 20],
    ['info', "20 more 'EBML_UNKNOWN_ELEMENT' issues not listed (30 in all)", 20],
  ]);
});
