// The PutMedia splitter on ffmpeg-made MKV fixtures, on streams written the way KVS producers write them
// (unknown-size Segment and Clusters, research §3.1), on mkvmerge BlockGroups and lacing, and on GetMedia
// output; fed 1 byte, 7 bytes, random sizes and all at once. Its fragments must be readMatroska's clusters.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { PutMediaSplitter } from '../../../../src/formats/matroska/ingest';
import type { BlockSpec } from '../../../../src/formats/matroska/write';
import {
  binaryElement,
  clusterElement,
  concatBytes,
  ebmlHeader,
  encode,
  getMediaChunk,
  getMediaErrorChunk,
  infoElement,
  intElement,
  kvsFragmentTags,
  kvsTagsElement,
  kvsTrailingTags,
  masterElement,
  segmentStart,
  tracksElement,
  uintElement,
  unknownSizeMaster,
} from '../../../../src/formats/matroska/write';
import { hasMkvmerge } from '../matroska/mkvinfoDump';
import { fixture, framesOf, MEDIA, planClusters, producerStream, withTempDir } from '../writer/mkvFixtures';
import type { Chunking } from './splitHelpers';
import { checkAgainstReader, split } from './splitHelpers';

const CHUNKINGS: Chunking[] = [1, 7, 'random', 'whole'];
const { tracks, frames } = framesOf('h264-aac.mkv');
const plans = planClusters(frames, 1);

/** Largest cluster in a stream (by readMatroska's clusters via the splitter's own events). */
function largestFragment(bytes: Uint8Array): number {
  return Math.max(0, ...split(bytes, 'whole').fragments.map((f) => f.cluster.length));
}

function checkAllChunkings(bytes: Uint8Array, label: string): void {
  const largest = largestFragment(bytes);
  for (const chunking of CHUNKINGS) {
    const result = split(bytes, chunking, {}, bytes.length);
    checkAgainstReader(bytes, result, `${label} / chunks of ${chunking}`);
    // Memory: the incomplete element only (a cluster buffer grows by doubling from 64 KiB).
    assert.ok(result.maxBuffered <= Math.max(2 * largest, 64 * 1024) + 64, `${label} / ${chunking}: held ${result.maxBuffered} bytes, largest fragment ${largest}`);
  }
}

test('ffmpeg-made MKV fixtures (known sizes, SeekHead, Void, Cues, Tags)', () => {
  const names = readdirSync(MEDIA).filter((name) => name.endsWith('.mkv')).sort();
  assert.ok(names.length >= 5);
  for (const name of names) {
    const bytes = fixture(name);
    checkAllChunkings(bytes, name);
    const result = split(bytes, 'whole');
    assert.ok(result.tags.length > 0, `${name}: ffmpeg writes Tags (after the clusters)`);
    assert.ok(result.fragments.every((f) => f.keyframeFirst));
  }
});

test('KVS producer-style streams: unknown-size Segment (1 and 8 bytes) and Clusters, 8-byte sizes, Tags and Voids between', () => {
  for (const segmentSizeWidth of [1, 8] as const) {
    for (const [unknownSizeClusters, clusterSizeWidth] of [[true, 1], [true, 8], [false, 1]] as const) {
      const bytes = producerStream(tracks, plans, { segmentSizeWidth, unknownSizeClusters, clusterSizeWidth, tagsEvery: 2, voids: true });
      const label = `producer segment=${segmentSizeWidth} unknownClusters=${unknownSizeClusters}/${clusterSizeWidth}`;
      checkAllChunkings(bytes, label);
      const result = split(bytes, 7);
      assert.equal(result.headers.length, 1);
      assert.deepEqual(result.headers[0]?.tracks.map((t) => [t.number, t.codecId, t.codecPrivate?.length]), tracks.map((t) => [t.number, t.codecId, t.codecPrivate?.length]));
      assert.equal(result.headers[0]?.docType, 'matroska');
      assert.deepEqual(result.tags.map((t) => t.tags), plans.map((_, i) => [['FRAGMENT_INDEX', String(i)]]).filter((_, i) => (i + 1) % 2 === 0));
      assert.deepEqual(result.fragments.map((f) => f.timecode), plans.map((p) => p.timecode));
      // An unknown-size cluster is emitted when the next one starts (or at the end), with a known size.
      if (unknownSizeClusters) {
        result.fragments.forEach((fragment, i) => {
          const next = result.fragments[i + 1];
          assert.ok(fragment.cluster[4] !== 0xff && fragment.cluster[4] !== 0x01, 'a known size is written');
          const at = result.positions[result.events.indexOf(fragment)] ?? -1;
          if (next) assert.ok(at > fragment.offset + fragment.cluster.length - 12 && at <= next.offset + 12 + 7, `emitted at ${at}, next cluster at ${next.offset}`);
        });
      }
    }
  }
});

test('a known-size cluster is emitted as soon as its last byte arrives; an unknown-size one when the next element starts', () => {
  const plan = plans[1];
  assert.ok(plan);
  for (const unknownSize of [false, true]) {
    const header = concatBytes([ebmlHeader(), segmentStart(1), infoElement({ muxingApp: 'm', writingApp: 'w' }), tracksElement(tracks)]);
    const cluster = clusterElement(plan.timecode, plan.blocks, { unknownSize });
    const splitter = new PutMediaSplitter();
    assert.deepEqual(splitter.push(header).map((e) => e.type), ['header']);
    const events = splitter.push(cluster);
    assert.deepEqual(events.map((e) => e.type), unknownSize ? [] : ['fragment']);
    if (unknownSize) {
      assert.deepEqual(splitter.push(kvsTagsElement([['a', 'b']])).map((e) => e.type), ['fragment', 'tags']);
      const more = splitter.push(clusterElement(plan.timecode + 1000, plan.blocks, { unknownSize }));
      assert.deepEqual(more, []);
      assert.deepEqual(splitter.end().map((e) => e.type), ['fragment']);
    } else {
      assert.deepEqual(splitter.end(), []);
    }
  }
});

test('BlockGroups (ReferenceBlock, BlockDuration) and lacing from mkvmerge', { skip: !hasMkvmerge }, () => {
  withTempDir((dir) => {
    for (const name of ['h264-aac.mkv', 'h264-main-bframes.mkv']) {
      for (const args of [['--engage', 'no_simpleblocks'], ['--engage', 'no_simpleblocks', '--cluster-length', '500ms'], []]) {
        const out = join(dir, `${args.length}-${name}`);
        execFileSync('mkvmerge', ['-q', '-o', out, ...args, join(MEDIA, name)]);
        const bytes = new Uint8Array(readFileSync(out));
        checkAllChunkings(bytes, `mkvmerge ${args.join(' ')} ${name}`);
      }
    }
  });
});

test('hand-made BlockGroups: key frames without ReferenceBlock, BlockDuration sets the last frame duration', () => {
  const blockData = (block: BlockSpec): Uint8Array =>
    concatBytes([new Uint8Array([0x80 | block.track, (block.relativeTimecode >> 8) & 0xff, block.relativeTimecode & 0xff, 0]), block.data]);
  const clusters = plans.slice(0, 3).map((plan) =>
    encode(
      unknownSizeMaster(Id.Cluster, [
        uintElement(Id.Timestamp, plan.timecode),
        ...plan.blocks.map((block, i) =>
          masterElement(Id.BlockGroup, [
            binaryElement(Id.Block, blockData(block)),
            ...(block.keyframe ? [] : [intElement(Id.ReferenceBlock, -40)]),
            ...(i === plan.blocks.length - 1 ? [uintElement(Id.BlockDuration, 250)] : []),
          ]),
        ),
      ]),
    ),
  );
  const bytes = concatBytes([ebmlHeader(), segmentStart(8), infoElement({ muxingApp: 'm', writingApp: 'w' }), tracksElement(tracks), ...clusters]);
  checkAllChunkings(bytes, 'BlockGroups');
  const result = split(bytes, 'whole');
  for (const fragment of result.fragments) assert.equal(fragment.durationMs, fragment.endMs - fragment.startMs + 250);
});

test('a second EBML header, or a new Segment, in the same body starts a new header', () => {
  const first = producerStream(tracks, plans.slice(0, 2));
  const second = producerStream(tracks.slice(0, 1), planClusters(frames.filter((f) => f.track === 1), 1).slice(0, 2));
  const bytes = concatBytes([first, second]);
  checkAllChunkings(bytes, 'two documents');
  const result = split(bytes, 3);
  assert.deepEqual(result.events.map((e) => e.type), ['header', 'fragment', 'fragment', 'header', 'fragment', 'fragment']);
  assert.equal(result.headers[1]?.offset, first.length);
  assert.deepEqual(result.headers[1]?.tracks.map((t) => t.number), [1]);

  // A Segment without its own EBML header: the previous EBML header is reused.
  const segmentOnly = concatBytes([first, second.subarray(ebmlHeader().length)]);
  const again = split(segmentOnly, 5);
  assert.deepEqual(again.errors, []);
  assert.deepEqual(again.events.map((e) => e.type), ['header', 'fragment', 'fragment', 'header', 'fragment', 'fragment']);
  assert.deepEqual(again.headers[1]?.bytes.subarray(0, ebmlHeader().length), ebmlHeader());
});

test('GetMedia output (a header per fragment, KVS tags around each cluster, an error chunk) splits too', () => {
  const header = concatBytes([ebmlHeader(), segmentStart(1), infoElement({ muxingApp: 'm', writingApp: 'w' }), tracksElement(tracks)]);
  const chunks = plans.map((plan, i) =>
    getMediaChunk({
      header,
      cluster: clusterElement(plan.timecode, plan.blocks, { unknownSize: true }),
      tagsBefore: kvsFragmentTags({ fragmentNumber: String(i), serverTimestampMs: 1000 * i, producerTimestampMs: 1000 * i + 1 }),
      tagsAfter: kvsTrailingTags({ millisBehindNow: 5, continuationToken: String(i) }),
    }),
  );
  chunks.push(getMediaErrorChunk({ errorCode: 'FRAGMENT_NOT_FOUND', errorId: 3000, fragmentNumber: '9' }));
  const bytes = concatBytes(chunks);
  checkAllChunkings(bytes, 'GetMedia');
  const result = split(bytes, 'random');
  assert.equal(result.headers.length, plans.length);
  assert.equal(result.tags.length, 2 * plans.length + 1);
  assert.deepEqual(result.tags.at(-1)?.tags, [['AWS_KINESISVIDEO_ERROR_CODE', 'FRAGMENT_NOT_FOUND'], ['AWS_KINESISVIDEO_ERROR_ID', '3000'], ['AWS_KINESISVIDEO_FRAGMENT_NUMBER', '9']]);
  assert.deepEqual(result.tags[0]?.tags, [['AWS_KINESISVIDEO_FRAGMENT_NUMBER', '0'], ['AWS_KINESISVIDEO_SERVER_TIMESTAMP', '0.000'], ['AWS_KINESISVIDEO_PRODUCER_TIMESTAMP', '0.001']]);
});

test('fragment facts: durations, tracks, undeclared tracks, TimestampScale', () => {
  const header = concatBytes([
    ebmlHeader(),
    segmentStart(1),
    infoElement({ muxingApp: 'm', writingApp: 'w', timestampScale: 100_000 }),
    tracksElement([{ number: 1, uid: 1, type: 1, codecId: 'V_MPEG4/ISO/AVC' }, { number: 2, uid: 2, type: 2, codecId: 'A_AAC', defaultDurationNs: 20_000_000 }]),
  ]);
  const frame = new Uint8Array(10);
  const bytes = concatBytes([
    header,
    clusterElement(
      50_000,
      [
        { track: 1, relativeTimecode: 0, keyframe: true, data: frame },
        { track: 2, relativeTimecode: -100, keyframe: true, data: frame },
        { track: 1, relativeTimecode: 400, keyframe: false, data: frame },
        { track: 1, relativeTimecode: 800, keyframe: false, data: frame },
        { track: 2, relativeTimecode: 900, keyframe: true, data: frame },
      ],
      { unknownSize: true },
    ),
    clusterElement(51_000, [{ track: 3, relativeTimecode: 0, keyframe: false, data: frame }]),
    clusterElement(52_000, []),
  ]);
  const result = split(bytes, 1);
  assert.deepEqual(result.errors, []);
  assert.equal(result.headers[0]?.timestampScale, 100_000);
  const [a, b, c] = result.fragments;
  assert.ok(a && b && c);
  assert.deepEqual(
    { timecode: a.timecode, timecodeMs: a.timecodeMs, startMs: a.startMs, endMs: a.endMs, durationMs: a.durationMs, keyframeFirst: a.keyframeFirst, tracks: a.tracks, blockCount: a.blockCount },
    { timecode: 50_000, timecodeMs: 5000, startMs: 4990, endMs: 5090, durationMs: 100 + 20, keyframeFirst: true, tracks: [1, 2], blockCount: 5 },
  );
  assert.deepEqual(a.undeclaredTracks, []);
  assert.deepEqual([b.tracks, b.undeclaredTracks, b.keyframeFirst, b.durationMs], [[3], [3], false, 0]);
  assert.deepEqual([c.blockCount, c.startMs, c.endMs, c.durationMs, c.tracks], [0, 5200, 5200, 0, []]);
});

test('oversized fragments: MAX_FRAGMENT_SIZE_REACHED as soon as the limit is passed, without holding the cluster', () => {
  const sizes = split(producerStream(tracks, plans), 'whole').fragments.map((f) => f.cluster.length);
  const limit = 20_000;
  const bigCount = sizes.filter((s) => s > limit).length;
  assert.ok(bigCount > 0 && bigCount < sizes.length, 'some clusters are over the limit, some under');
  for (const unknownSizeClusters of [true, false]) {
    const bytes = producerStream(tracks, plans, { unknownSizeClusters, tagsEvery: 1 });
    for (const chunking of [1, 1000, 'whole'] as Chunking[]) {
      const label = `unknownSize=${unknownSizeClusters} chunks=${chunking}`;
      const result = split(bytes, chunking, { maxFragmentBytes: limit });
      assert.equal(result.errors.length, bigCount, label);
      assert.equal(result.fragments.length, sizes.length - bigCount, label);
      assert.equal(result.tags.length, plans.length, `${label}: the stream goes on after a dropped fragment`);
      for (const error of result.errors) {
        assert.equal(error.errorCode, 'MAX_FRAGMENT_SIZE_REACHED');
        assert.equal(error.errorId, 4001);
        assert.equal(error.fatal, false);
        const index = plans.findIndex((p) => p.timecode === error.timecode);
        assert.ok(index >= 0, `${label}: the error names the cluster's timecode`);
        if (chunking === 1) {
          const at = result.positions[result.events.indexOf(error)] ?? Infinity;
          assert.ok(at <= error.offset + limit + 64, `${label}: reported at ${at}, before the cluster at ${error.offset} (${sizes[index]} bytes) ends`);
        }
      }
      if (chunking !== 'whole') assert.ok(result.maxBuffered <= limit + 64, `${label}: held ${result.maxBuffered}`);
    }
  }
});

test('bad input: garbage, missing EBML header, unknown sizes where not allowed → INVALID_MKV_DATA (fatal)', () => {
  const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
  const cases: [string, Uint8Array][] = [
    ['garbage', random],
    ['text', new TextEncoder().encode('POST /putMedia HTTP/1.1\r\n')],
    ['zero bytes', new Uint8Array(100)],
    ['Segment without EBML header', concatBytes([segmentStart(1), infoElement({ muxingApp: 'm', writingApp: 'w' }), tracksElement(tracks)])],
    ['unknown-size Tracks', concatBytes([ebmlHeader(), segmentStart(1), encode(unknownSizeMaster(Id.Tracks, []))])],
    ['unknown-size Tags', concatBytes([ebmlHeader(), segmentStart(1), infoElement({ muxingApp: 'm', writingApp: 'w' }), tracksElement(tracks), encode(unknownSizeMaster(Id.Tags, []))])],
    ['Info inside a known-size Cluster', concatBytes([ebmlHeader(), segmentStart(1), tracksElement(tracks), encode(masterElement(Id.Cluster, [uintElement(Id.Timestamp, 0), masterElement(Id.Info, [])]))])],
    ['a Cue point at Segment level', concatBytes([ebmlHeader(), segmentStart(1), encode(masterElement(Id.CuePoint, []))])],
    ['Tracks with no TrackEntry', concatBytes([ebmlHeader(), segmentStart(1), infoElement({ muxingApp: 'm', writingApp: 'w' }), encode(masterElement(Id.Tracks, []))])],
    ['repeated TrackNumber', concatBytes([ebmlHeader(), segmentStart(1), infoElement({ muxingApp: 'm', writingApp: 'w' }), tracksElement([{ number: 1, uid: 1, type: 1, codecId: 'V_X' }, { number: 1, uid: 2, type: 2, codecId: 'A_X' }])])],
  ];
  for (const [label, bytes] of cases) {
    for (const chunking of [1, 'whole'] as Chunking[]) {
      const result = split(bytes, chunking);
      assert.equal(result.errors.length, 1, `${label}: one error`);
      const error = result.errors[0];
      assert.equal(error?.errorCode, 'INVALID_MKV_DATA', label);
      assert.equal(error.errorId, 4006);
      assert.equal(error.fatal, true);
      assert.equal(result.events.at(-1), error, `${label}: nothing after a fatal error`);
      assert.deepEqual(result.fragments, []);
    }
  }
});

test('bad input: a Cluster before Tracks; more than 3 tracks', () => {
  const info = infoElement({ muxingApp: 'm', writingApp: 'w' });
  const plan = plans[0];
  assert.ok(plan);
  const early = concatBytes([ebmlHeader(), segmentStart(1), info, clusterElement(0, plan.blocks), tracksElement(tracks)]);
  const result = split(early, 7);
  assert.deepEqual(result.events.map((e) => e.type), ['error']);
  assert.equal(result.errors[0]?.errorCode, 'INVALID_MKV_DATA');
  assert.equal(result.errors[0]?.offset, ebmlHeader().length + 5 + info.length);
  assert.match(result.errors[0]?.message ?? '', /before the Tracks/);

  const four = [1, 2, 3, 4].map((n) => ({ number: n, uid: n, type: 1 as const, codecId: 'V_MPEG4/ISO/AVC' }));
  const many = concatBytes([ebmlHeader(), segmentStart(1), info, tracksElement(four), clusterElement(0, [{ track: 1, relativeTimecode: 0, keyframe: true, data: new Uint8Array(4) }])]);
  const tooMany = split(many, 'random');
  assert.deepEqual(tooMany.events.map((e) => e.type), ['error']);
  assert.equal(tooMany.errors[0]?.errorCode, 'MORE_THAN_ALLOWED_TRACKS_FOUND');
  assert.equal(tooMany.errors[0]?.errorId, 4005);
  assert.equal(tooMany.errors[0]?.fatal, true);
  assert.equal(tooMany.errors[0]?.offset, ebmlHeader().length + 5 + info.length, 'the offset of Tracks');
  const allowed = split(many, 'random', { maxTracks: 4 });
  assert.deepEqual(allowed.events.map((e) => e.type), ['header', 'fragment']);
  assert.equal(allowed.headers[0]?.tracks.length, 4);
});

test('bad input: truncated streams report the cut element; a cut between clusters does not', () => {
  const bytes = producerStream(tracks, plans.slice(0, 3));
  const whole = split(bytes, 'whole');
  const [f0, f1, f2] = whole.fragments;
  assert.ok(f0 && f1 && f2);
  // Cut inside the second cluster (an unknown-size cluster cut inside a block), inside the header, inside an element header.
  for (const [cut, fragments, offset] of [
    [f1.offset + 500, 1, f1.offset],
    [ebmlHeader().length + 20, 0, -1],
    [f2.offset + 2, 2, -1],
  ] as const) {
    for (const chunking of [1, 'whole'] as Chunking[]) {
      const result = split(bytes.subarray(0, cut), chunking);
      assert.equal(result.fragments.length, fragments, `cut at ${cut}`);
      assert.equal(result.errors.length, 1, `cut at ${cut}`);
      assert.equal(result.errors[0]?.errorCode, 'INVALID_MKV_DATA');
      assert.match(result.errors[0]?.message ?? '', /ended inside/);
      if (offset >= 0) assert.equal(result.errors[0]?.offset, offset);
    }
  }
  // Cut where the third cluster starts: the second one ends with the body.
  const clean = split(bytes.subarray(0, f2.offset), 7);
  assert.deepEqual(clean.errors, []);
  assert.equal(clean.fragments.length, 2);
  // A known-size cluster cut short.
  const known = producerStream(tracks, plans.slice(0, 2), { unknownSizeClusters: false });
  const cutKnown = split(known.subarray(0, known.length - 1), 'whole');
  assert.equal(cutKnown.fragments.length, 1);
  assert.match(cutKnown.errors[0]?.message ?? '', /ended inside/);
});

test('bad clusters are dropped and the stream goes on: no Timestamp, a broken SimpleBlock', () => {
  const header = concatBytes([ebmlHeader(), segmentStart(1), infoElement({ muxingApp: 'm', writingApp: 'w' }), tracksElement(tracks)]);
  const good = clusterElement(5, [{ track: 1, relativeTimecode: 0, keyframe: true, data: new Uint8Array(8) }]);
  const noTimestamp = encode(masterElement(Id.Cluster, [binaryElement(Id.SimpleBlock, new Uint8Array([0x81, 0, 0, 0x80, 1]))]));
  const brokenBlock = encode(masterElement(Id.Cluster, [uintElement(Id.Timestamp, 3), binaryElement(Id.SimpleBlock, new Uint8Array([0x81, 0]))]));
  const trackZero = encode(unknownSizeMaster(Id.Cluster, [uintElement(Id.Timestamp, 4), binaryElement(Id.SimpleBlock, new Uint8Array([0x80, 0, 0, 0x80, 1]))]));
  const result = split(concatBytes([header, noTimestamp, good, brokenBlock, trackZero, good]), 1);
  assert.deepEqual(result.events.map((e) => e.type), ['header', 'error', 'fragment', 'error', 'error', 'fragment']);
  for (const error of result.errors) {
    assert.equal(error.errorCode, 'INVALID_MKV_DATA');
    assert.equal(error.fatal, false);
  }
  assert.equal(result.errors[1]?.timecode, 3);
  assert.match(result.errors[0]?.message ?? '', /no Timestamp/);
});
