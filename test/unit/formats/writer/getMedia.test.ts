// GetMedia / GetMediaForFragmentList chunks (research §3.2): a run of them must read back with readMatroska
// into fragments whose KVS metadata is what was written; producer headers are re-wrapped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { KvsTag } from '../../../../src/formats/matroska/kvsTags';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import {
  binaryElement,
  clusterElement,
  concatBytes,
  ebmlHeader,
  elementHeader,
  encode,
  getMediaChunk,
  getMediaChunkParts,
  getMediaErrorChunk,
  getMediaHeader,
  infoElement,
  kvsFragmentTags,
  kvsTimestamp,
  kvsTrailingTags,
  masterElement,
  segmentStart,
  splitProducerHeader,
  tracksElement,
  uintElement,
} from '../../../../src/formats/matroska/write';
import { hasMkvinfo, mkvinfo } from '../matroska/mkvinfoDump';
import { framesOf, planClusters, withTempDir, writeTemp } from './mkvFixtures';

const { tracks, frames } = framesOf('h264-aac.mkv');
const plans = planClusters(frames, 1);
const info = infoElement({ muxingApp: 'Kinesis Video SDK 3.4.1', writingApp: 'Kinesis Video SDK 3.4.1', segmentUid: new Uint8Array(16).fill(1) });
const tracksBytes = tracksElement(tracks);
const voidBytes = encode(binaryElement(Id.Void, new Uint8Array(9)));
const seekHead = encode(masterElement(Id.SeekHead, [masterElement(Id.Seek, [binaryElement(Id.SeekID, new Uint8Array([0x15, 0x49, 0xa9, 0x66])), uintElement(Id.SeekPosition, 0)])]));
/** A producer header with the 1-byte unknown Segment size, a SeekHead and Voids. */
const producerHeader = concatBytes([ebmlHeader(), segmentStart(1), seekHead, voidBytes, info, tracksBytes, voidBytes]);

test('splitProducerHeader finds the EBML header, Info and Tracks; getMediaHeader re-wraps them in an 8-byte unknown Segment', () => {
  const parts = splitProducerHeader(producerHeader);
  assert.ok(parts);
  assert.deepEqual(parts.ebmlHeader, ebmlHeader());
  assert.deepEqual(parts.info, info);
  assert.deepEqual(parts.tracks, tracksBytes);
  assert.deepEqual(getMediaHeader(producerHeader), concatBytes([ebmlHeader(), segmentStart(8), info, tracksBytes]));
  assert.equal(getMediaHeader(producerHeader), getMediaHeader(producerHeader), 'cached per input');

  // A known-size Segment (an ffmpeg file's header): stops at the first Cluster.
  const known = concatBytes([ebmlHeader(), encode(elementHeader(Id.Segment, 100_000, { sizeWidth: 8 })), info, tracksBytes, clusterElement(0, []), info]);
  assert.deepEqual(splitProducerHeader(known)?.tracks, tracksBytes);
  // Not a header: undefined, and getMediaHeader passes the bytes through.
  assert.equal(splitProducerHeader(new Uint8Array([1, 2, 3])), undefined);
  assert.equal(splitProducerHeader(ebmlHeader().subarray(0, 10)), undefined);
  const junk = new Uint8Array([0x42, 0x42]);
  assert.equal(getMediaHeader(junk), junk);
});

test('kvsTimestamp writes seconds with three decimals', () => {
  assert.equal(kvsTimestamp(1511852109126), '1511852109.126');
  assert.equal(kvsTimestamp(1511852109006), '1511852109.006');
  assert.equal(kvsTimestamp(5), '0.005');
  assert.equal(kvsTimestamp(1000.9), '1.000');
  assert.equal(kvsTimestamp(0), '0.000');
});

test('a GetMedia stream of chunks reads back into fragments with the KVS metadata written', () => {
  const chunks: Uint8Array[] = [];
  const expected: Record<string, unknown>[] = [];
  plans.forEach((plan, i) => {
    const fragmentNumber = `9134385233318143239268206260774392014615916939${i}`;
    const serverTimestampMs = 1511852109126 + i * 1000;
    const producerTimestampMs = 1511852108513 + i * 1000;
    const cluster = clusterElement(plan.timecode, plan.blocks, { unknownSize: i % 2 === 1, timecodeLength: 8 });
    const input = {
      header: producerHeader,
      cluster,
      tagsBefore: kvsFragmentTags({ fragmentNumber, serverTimestampMs, producerTimestampMs }),
      tagsAfter: kvsTrailingTags({ millisBehindNow: 15858 - i, continuationToken: fragmentNumber }),
    };
    const chunk = getMediaChunk(input);
    assert.deepEqual(concatBytes(getMediaChunkParts(input)), chunk);
    assert.equal(getMediaChunkParts(input)[2], cluster, 'the cluster is not copied');
    chunks.push(chunk);
    expected.push({ fragmentNumber, serverTimestampMs, producerTimestampMs, millisBehindNow: 15858 - i, continuationToken: fragmentNumber });
  });
  // GetMediaForFragmentList: no trailing tags; then a fragment that is not found.
  chunks.push(getMediaChunk({ header: producerHeader, cluster: clusterElement(plans[0]?.timecode ?? 0, plans[0]?.blocks ?? []), tagsBefore: kvsFragmentTags({ fragmentNumber: '77', serverTimestampMs: 1700000000001, producerTimestampMs: 1700000000000 }), tagsAfter: [] }));
  expected.push({ fragmentNumber: '77', serverTimestampMs: 1700000000001, producerTimestampMs: 1700000000000 });
  chunks.push(getMediaErrorChunk({ errorCode: 'FRAGMENT_NOT_FOUND', errorId: 3000, fragmentNumber: '42', header: producerHeader }));
  expected.push({ errorCode: 'FRAGMENT_NOT_FOUND', errorId: '3000', fragmentNumber: '42' });
  chunks.push(getMediaErrorChunk({ errorCode: 'INTERNAL_ERROR', errorId: 5000 }));
  expected.push({ errorCode: 'INTERNAL_ERROR', errorId: '5000' });

  const stream = concatBytes(chunks);
  const mkv = readMatroska(bytesSource(stream));
  assert.deepEqual(mkv.issues.filter((i) => i.severity !== 'info'), []);
  assert.equal(mkv.documents.length, chunks.length);
  let offset = 0;
  mkv.documents.forEach((document, i) => {
    assert.equal(document.offset, offset);
    offset += chunks[i]?.length ?? 0;
    assert.equal(document.end, offset);
    assert.equal(document.header?.docType, 'matroska');
    assert.equal(document.segments[0]?.dataSize, null, 'unknown-size Segment');
    assert.equal(stream[(document.segments[0]?.offset ?? 0) + 4], 0x01, '8-byte unknown size');
  });
  assert.deepEqual(mkv.fragments.map((f) => f.kvs), expected);
  const original = readMatroska(bytesSource(concatBytes([producerHeader, ...plans.map((p) => clusterElement(p.timecode, p.blocks))])));
  for (let i = 0; i < plans.length; i++) {
    const fragment = mkv.fragments[i];
    assert.ok(fragment);
    assert.equal(fragment.timecode, plans[i]?.timecode);
    assert.equal(fragment.blockCount, plans[i]?.blocks.length);
    assert.deepEqual(fragment.tags.map((t) => t.name), [KvsTag.FragmentNumber, KvsTag.ServerTimestamp, KvsTag.ProducerTimestamp, KvsTag.MillisBehindNow, KvsTag.ContinuationToken]);
    assert.deepEqual(mkv.documents[i]?.segments[0]?.tracks.map((t) => [t.number, t.codecId, t.codecPrivate?.size]), original.documents[0]?.segments[0]?.tracks.map((t) => [t.number, t.codecId, t.codecPrivate?.size]));
  }
  assert.equal(mkv.blocks.count, original.blocks.count + (plans[0]?.blocks.length ?? 0));
  for (let i = 0; i < original.blocks.count; i++) {
    assert.equal(mkv.blocks.timecode[i], original.blocks.timecode[i]);
    assert.equal(mkv.blocks.payloadSize[i], original.blocks.payloadSize[i]);
  }
  const notFound = mkv.fragments.at(-2);
  assert.equal(notFound?.clusterIndex, null);
  assert.equal(notFound.blockCount, 0);
});

test('mkvinfo reads a GetMedia chunk', { skip: !hasMkvinfo }, () => {
  const plan = plans[1];
  assert.ok(plan);
  const chunk = getMediaChunk({
    header: producerHeader,
    cluster: clusterElement(plan.timecode, plan.blocks, { unknownSize: true }),
    tagsBefore: kvsFragmentTags({ fragmentNumber: '1', serverTimestampMs: 1, producerTimestampMs: 2 }),
    tagsAfter: kvsTrailingTags({ millisBehindNow: 3, continuationToken: '1' }),
  });
  withTempDir((dir) => {
    const dump = mkvinfo(writeTemp(dir, 'chunk.mkv', chunk));
    assert.deepEqual(dump.tracks.map((t) => t.codecId), tracks.map((t) => t.codecId));
    assert.equal(dump.blocks.length, plan.blocks.length);
    assert.deepEqual(dump.blocks.map((b) => b.timestampNs / 1e6), plan.blocks.map((b) => plan.timecode + b.relativeTimecode));
  });
});
