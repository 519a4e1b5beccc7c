// A GetMedia-style stream (one EBML + unknown-size Segment per fragment, KVS tags before and after each
// Cluster) built from a fixture's real Info, Tracks and Clusters.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readTree } from '../../../../src/formats/ebml/tree';
import type { EbmlNode } from '../../../../src/formats/ebml/tree';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { KvsTag, secondsToMs } from '../../../../src/formats/matroska/kvsTags';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { matroskaSchema } from '../../../../src/formats/matroska/schema';
import type { JsonReport } from '../../../../src/formats/inspect/jsonReport';
import { kvsInspect } from '../../inspect/cli';
import { concat, elementSized, idBytes, unknownSize } from '../ebml/ebmlBytes';

const fixture = new Uint8Array(readFileSync(join(import.meta.dirname, '../../../fixtures/media/h264-aac.mkv')));
const top = readTree(bytesSource(fixture), matroskaSchema(), { expand: (e) => e.name !== 'Cluster' }).nodes;
const bytesOf = (node: EbmlNode | undefined): Uint8Array => {
  assert.ok(node);
  return fixture.subarray(node.offset, node.end);
};
const segmentChildren = top[1]?.children ?? [];
const ebmlHeader = bytesOf(top[0]);
const info = bytesOf(segmentChildren.find((n) => n.name === 'Info'));
const tracks = bytesOf(segmentChildren.find((n) => n.name === 'Tracks'));
const clusters = segmentChildren.filter((n) => n.name === 'Cluster');

/** A Cluster re-written with an unknown size, as KVS producers send it. */
function unknownSizeCluster(node: EbmlNode | undefined): Uint8Array {
  assert.ok(node);
  return concat(idBytes(Id.Cluster), unknownSize(1), fixture.subarray(node.offset + node.headerSize, node.end));
}

/** Tags / Tag / SimpleTag with 4-byte sizes, as KVS adds them. */
function kvsTags(tags: Record<string, string>): Uint8Array {
  const text = (s: string) => new TextEncoder().encode(s);
  const simpleTags = Object.entries(tags).map(([name, value]) =>
    elementSized(Id.SimpleTag, 4, elementSized(Id.TagName, 4, text(name)), elementSized(Id.TagString, 4, text(value))),
  );
  return elementSized(Id.Tags, 4, elementSized(Id.Tag, 4, ...simpleTags));
}

const segmentStart = concat(idBytes(Id.Segment), unknownSize(8)); // GetMedia's 01 FF FF FF FF FF FF FF

function getMediaDocument(index: number, cluster: EbmlNode | undefined): Uint8Array {
  const fragmentNumber = `9134385233318143239268206260774392014615916939${index}`;
  return concat(
    ebmlHeader,
    segmentStart,
    info,
    tracks,
    kvsTags({
      [KvsTag.FragmentNumber]: fragmentNumber,
      [KvsTag.ServerTimestamp]: `1511852109.${String(100 + index)}`,
      [KvsTag.ProducerTimestamp]: `1511852108.${String(500 + index)}`,
    }),
    unknownSizeCluster(cluster),
    kvsTags({ [KvsTag.MillisBehindNow]: String(15858 - index), [KvsTag.ContinuationToken]: fragmentNumber }),
  );
}

/**
 * Two rounds of the fixture's clusters as GetMedia documents, a fragment KVS could not serve, and two
 * GetMediaForFragmentList documents (a fragment and an error).
 */
function getMediaStream(): Uint8Array[] {
  const documents: Uint8Array[] = [];
  for (let round = 0; round < 2; round++) {
    for (let c = 0; c < clusters.length; c++) documents.push(getMediaDocument(round * clusters.length + c, clusters[c]));
  }
  // A fragment KVS could not serve: only tags, no cluster (aws-sdk-js#3217).
  documents.push(
    concat(ebmlHeader, segmentStart, kvsTags({ [KvsTag.ErrorCode]: 'FRAGMENT_NOT_FOUND', [KvsTag.ErrorId]: '3000', [KvsTag.FragmentNumber]: '42' })),
  );
  // GetMediaForFragmentList names from the API reference.
  documents.push(
    concat(
      ebmlHeader,
      segmentStart,
      info,
      tracks,
      kvsTags({ [KvsTag.FragmentNumber]: '77', [KvsTag.ServerSideTimestamp]: '1700000000.001', [KvsTag.ProducerSideTimestamp]: '1700000000' }),
      unknownSizeCluster(clusters[0]),
    ),
    concat(ebmlHeader, segmentStart, kvsTags({ [KvsTag.ExceptionErrorCode]: 'ResourceNotFoundException', [KvsTag.ExceptionMessage]: 'no such fragment' })),
  );
  return documents;
}

test('GetMedia: one fragment per document, KVS tags before and after the cluster', () => {
  const documents = getMediaStream();
  const stream = concat(...documents);
  const original = readMatroska(bytesSource(fixture));
  const mkv = readMatroska(bytesSource(stream));

  assert.deepEqual(mkv.issues.filter((i) => i.severity !== 'info'), []);
  assert.equal(mkv.documents.length, documents.length);
  let offset = 0;
  for (const [i, document] of mkv.documents.entries()) {
    assert.equal(document.offset, offset);
    offset += documents[i]?.length ?? 0;
    assert.equal(document.end, offset, `document ${i} ends where the next EBML header starts`);
    assert.equal(document.header?.docType, 'matroska');
    assert.equal(document.segments.length, 1);
    assert.equal(document.segments[0]?.dataSize, null);
  }

  assert.equal(mkv.fragments.length, 7);
  for (let i = 0; i < 4; i++) {
    const fragment = mkv.fragments[i];
    const source = original.clusters[i % clusters.length];
    assert.ok(fragment && source);
    const number = `9134385233318143239268206260774392014615916939${i}`;
    assert.deepEqual(fragment.kvs, {
      fragmentNumber: number,
      serverTimestampMs: 1511852109100 + i,
      producerTimestampMs: 1511852108500 + i,
      millisBehindNow: 15858 - i,
      continuationToken: number,
    });
    assert.equal(fragment.documentIndex, i);
    assert.equal(fragment.timecode, source.timecode);
    assert.equal(fragment.blockCount, source.blockCount);
    const cluster = mkv.clusters[fragment.clusterIndex ?? -1];
    assert.equal(cluster?.dataSize, null);
    assert.equal(cluster?.end, fragment.end);
    assert.deepEqual(fragment.tags.map((t) => t.name), [KvsTag.FragmentNumber, KvsTag.ServerTimestamp, KvsTag.ProducerTimestamp, KvsTag.MillisBehindNow, KvsTag.ContinuationToken]);
  }

  const notFound = mkv.fragments[4];
  assert.equal(notFound?.clusterIndex, null);
  assert.equal(notFound?.blockCount, 0);
  assert.deepEqual(notFound?.kvs, { errorCode: 'FRAGMENT_NOT_FOUND', errorId: '3000', fragmentNumber: '42' });
  assert.deepEqual(mkv.fragments[5]?.kvs, { fragmentNumber: '77', serverTimestampMs: 1700000000001, producerTimestampMs: 1700000000000 });
  assert.deepEqual(mkv.fragments[6]?.kvs, { errorCode: 'ResourceNotFoundException', errorMessage: 'no such fragment' });
  assert.equal(mkv.fragments[7], undefined);

  // Blocks: the original's, four times over, then cluster 0 again.
  const perRound = original.blocks.count;
  assert.equal(mkv.blocks.count, 2 * perRound + (original.clusters[0]?.blockCount ?? 0));
  for (let i = 0; i < mkv.blocks.count; i++) {
    const j = i % perRound;
    assert.equal(mkv.blocks.timecode[i], original.blocks.timecode[j]);
    assert.equal(mkv.blocks.track[i], original.blocks.track[j]);
    assert.equal(mkv.blocks.flags[i], original.blocks.flags[j]);
    assert.equal(mkv.blocks.payloadSize[i], original.blocks.payloadSize[j]);
  }
});

test('a GetMedia stream reads the same as its documents read one by one', () => {
  const doc0 = getMediaDocument(0, clusters[0]);
  const doc1 = getMediaDocument(1, clusters[1]);
  const both = readMatroska(bytesSource(concat(doc0, doc1)));
  const first = readMatroska(bytesSource(doc0));
  const second = readMatroska(bytesSource(doc1));
  assert.deepEqual(both.fragments[0]?.kvs, first.fragments[0]?.kvs);
  assert.deepEqual(both.fragments[1]?.kvs, second.fragments[0]?.kvs);
  assert.equal(both.blocks.count, first.blocks.count + second.blocks.count);
});

test('KVS timestamps are decimal seconds, converted exactly', () => {
  assert.equal(secondsToMs('1511852109.126'), 1511852109126);
  assert.equal(secondsToMs('0.000'), 0);
  assert.equal(secondsToMs('12'), 12000);
  assert.equal(secondsToMs('1.5'), 1500);
  assert.equal(secondsToMs('1.0001'), 1001, 'sub-millisecond digits round up');
  assert.equal(secondsToMs('-1'), undefined);
  assert.equal(secondsToMs('soon'), undefined);
});

test('kvs-inspect reads a GetMedia stream from standard input: KVS tags per fragment, the service errors as errors', () => {
  const documents = getMediaStream();
  const result = kvsInspect(['--json', '--checks', '-'], concat(...documents));
  assert.equal(result.status, 2, result.stderr);
  const report = JSON.parse(result.stdout) as JsonReport;
  assert.equal(report.format, 'matroska');
  assert.deepEqual(
    report.fragments.map((f) => f.kvs?.fragmentNumber),
    [0, 1, 2, 3].map((i) => `9134385233318143239268206260774392014615916939${i}`).concat(['42', '77', undefined as unknown as string]),
  );
  assert.equal(report.fragments[0]?.kvs?.producerTimestampMs, 1511852108500);
  const documentStart = (i: number) => documents.slice(0, i).reduce((sum, d) => sum + d.length, 0);
  const errors = report.issues.filter((i) => i.code === 'KVS_SERVICE_ERROR');
  assert.deepEqual(
    errors.map((e) => [e.severity, e.offset, e.message]),
    [
      ['error', report.fragments[4]?.offset, "Fragment 4 is the service's error for fragment 42 instead of media: FRAGMENT_NOT_FOUND (error id 3000)."],
      ['error', report.fragments[6]?.offset, "Fragment 6 is the service's error instead of media: ResourceNotFoundException: no such fragment."],
    ],
  );
  // Each where its document is.
  for (const [k, i] of [4, 6].entries()) {
    const offset = errors[k]?.offset ?? -1;
    assert.ok(offset > documentStart(i) && offset < documentStart(i + 1), `error ${k} at ${offset} is in document ${i}`);
  }
});
