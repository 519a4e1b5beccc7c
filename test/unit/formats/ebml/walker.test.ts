import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { readChildren, readTree, readValue } from '../../../../src/formats/ebml/tree';
import type { EbmlNode } from '../../../../src/formats/ebml/tree';
import type { EbmlElement } from '../../../../src/formats/ebml/walker';
import { walkEbml } from '../../../../src/formats/ebml/walker';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { matroskaSchema } from '../../../../src/formats/matroska/schema';
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
  unknownSizeElement,
} from './ebmlBytes';

const ebmlHeader = element(Id.EBML, uintElement(Id.EBMLVersion, 1), stringElement(Id.DocType, 'matroska'), uintElement(Id.DocTypeVersion, 4));
const info = element(Id.Info, uintElement(Id.TimestampScale, 1_000_000), floatElement(Id.Duration, 2000), stringElement(Id.MuxingApp, 'test'));
const simpleBlock = (rel: number, size = 40): Uint8Array => element(Id.SimpleBlock, blockData(1, rel, 0x80, filled(size)));

interface Visit {
  name: string;
  level: number;
  offset: number;
  end: number;
  dataSize: number | null;
  value?: unknown;
}

function walkAll(bytes: Uint8Array) {
  const visits: Visit[] = [];
  const events: string[] = [];
  const elements: EbmlElement[] = [];
  const result = walkEbml(bytesSource(bytes), matroskaSchema(), {
    enter(e) {
      elements.push(e);
      events.push(`+${e.name}`);
      return undefined;
    },
    leave(e) {
      events.push(`-${e.name}`);
    },
  });
  for (const e of elements) visits.push({ name: e.name, level: e.level, offset: e.offset, end: e.end, dataSize: e.dataSize, value: e.value });
  return { visits, events, issues: result.issues, codes: result.issues.map((i) => i.code) };
}

const named = (visits: Visit[], name: string): Visit[] => visits.filter((v) => v.name === name);

test('known-size elements: offsets, levels, values, and enter/leave order', () => {
  const cluster = element(Id.Cluster, uintElement(Id.Timestamp, 1000), simpleBlock(0), simpleBlock(40));
  const segment = element(Id.Segment, info, cluster);
  const bytes = concat(ebmlHeader, segment);
  const { visits, events, issues } = walkAll(bytes);
  assert.deepEqual(issues, []);
  assert.deepEqual(events.slice(0, 6), ['+EBML', '+EBMLVersion', '+DocType', '+DocTypeVersion', '-EBML', '+Segment']);
  assert.equal(events.at(-1), '-Segment');
  const seg = named(visits, 'Segment')[0];
  assert.deepEqual(seg, { name: 'Segment', level: 0, offset: ebmlHeader.length, end: bytes.length, dataSize: segment.length - 6, value: undefined });
  assert.equal(named(visits, 'DocType')[0]?.value, 'matroska');
  assert.equal(named(visits, 'Duration')[0]?.value, 2000);
  assert.equal(named(visits, 'Timestamp')[0]?.value, 1000);
  const blocks = named(visits, 'SimpleBlock');
  assert.equal(blocks.length, 2);
  assert.equal(blocks[0]?.level, 2);
  assert.deepEqual(blocks[0]?.value, { offset: (blocks[0]?.offset ?? 0) + 2, size: 44 });
});

test('unknown-size Segment and Cluster in every VINT width end where a non-child starts', () => {
  for (let width = 1; width <= 8; width++) {
    const tags = element(Id.Tags, element(Id.Tag, element(Id.SimpleTag, stringElement(Id.TagName, 'A'), stringElement(Id.TagString, 'B'))));
    const cluster1 = unknownSizeElement(Id.Cluster, width, uintElement(Id.Timestamp, 0), simpleBlock(0), simpleBlock(33));
    const cluster2 = unknownSizeElement(Id.Cluster, width, uintElement(Id.Timestamp, 66), simpleBlock(0));
    const segment = unknownSizeElement(Id.Segment, width, info, cluster1, cluster2, tags);
    const doc = concat(ebmlHeader, segment);
    const bytes = concat(doc, doc); // two documents back to back, as GetMedia sends them
    const { visits, issues } = walkAll(bytes);
    assert.deepEqual(issues, [], `width ${width}`);
    const segments = named(visits, 'Segment');
    assert.equal(segments.length, 2);
    assert.equal(segments[0]?.dataSize, null);
    assert.equal(segments[0]?.end, doc.length, `first Segment ends at the second EBML header (width ${width})`);
    assert.equal(segments[1]?.end, bytes.length);
    const clusters = named(visits, 'Cluster');
    assert.equal(clusters.length, 4);
    const c1Offset = ebmlHeader.length + 4 + width + info.length;
    assert.equal(clusters[0]?.offset, c1Offset);
    assert.equal(clusters[0]?.end, c1Offset + cluster1.length, 'ends at the next Cluster');
    assert.equal(clusters[1]?.end, c1Offset + cluster1.length + cluster2.length, 'ends at Tags');
    assert.equal(named(visits, 'Tags')[0]?.level, 1, 'Tags is back at Segment level');
    assert.equal(named(visits, 'SimpleBlock').length, 6);
    assert.ok(named(visits, 'SimpleBlock').every((v) => v.level === 2));
  }
});

test('an unknown-size Cluster ends at the end of a known-size Segment', () => {
  const cluster = unknownSizeElement(Id.Cluster, 1, uintElement(Id.Timestamp, 0), simpleBlock(0));
  const segment = element(Id.Segment, cluster);
  const bytes = concat(ebmlHeader, segment, ebmlHeader);
  const { visits, issues } = walkAll(bytes);
  assert.deepEqual(issues, []);
  assert.equal(named(visits, 'Cluster')[0]?.end, ebmlHeader.length + segment.length);
  assert.equal(named(visits, 'EBML').length, 2);
});

test('zero-size elements are read without spinning; empty where 0 is not allowed is reported', () => {
  const voids = Array.from({ length: 1000 }, () => element(Id.Void));
  const cluster = element(Id.Cluster, uintElement(Id.Timestamp, 0), element(Id.BlockGroup), element(Id.SimpleBlock));
  const segment = element(Id.Segment, element(Id.Info, element(Id.TimestampScale)), ...voids, cluster);
  const { visits, issues } = walkAll(concat(ebmlHeader, segment));
  assert.equal(named(visits, 'Void').length, 1000);
  assert.equal(named(visits, 'SimpleBlock')[0]?.dataSize, 0);
  assert.deepEqual(
    issues.map((i) => [i.code, i.severity]),
    [['EBML_ZERO_SIZE', 'warning']],
  );
  assert.equal(named(visits, 'TimestampScale')[0]?.value, 0);
});

test('a size past the end of the input is reported as truncation; children are still read', () => {
  const cluster = element(Id.Cluster, uintElement(Id.Timestamp, 0), simpleBlock(0), simpleBlock(10));
  const segment = element(Id.Segment, cluster);
  const bytes = concat(ebmlHeader, segment);
  // Claim a huge Segment size: 8-byte VINT of 2^50.
  const huge = concat(ebmlHeader, idBytes(Id.Segment), sizeBytes(2 ** 50, 8), cluster);
  const { visits, issues } = walkAll(huge);
  assert.deepEqual(issues.map((i) => i.code), ['EBML_TRUNCATED']);
  assert.equal(issues[0]?.offset, ebmlHeader.length);
  assert.equal(named(visits, 'Segment')[0]?.end, huge.length);
  assert.equal(named(visits, 'SimpleBlock').length, 2);
  assert.equal(walkAll(bytes).issues.length, 0);
});

test('a cut inside a block: one issue, at the block, naming the Cluster and the Segment it cuts too', () => {
  const cluster = element(Id.Cluster, uintElement(Id.Timestamp, 0), simpleBlock(0), simpleBlock(10));
  const full = concat(ebmlHeader, element(Id.Segment, info, cluster));
  const cut = full.length - 7;
  const { issues } = walkAll(full.subarray(0, cut));
  const segmentAt = ebmlHeader.length;
  const clusterAt = segmentAt + full.length - ebmlHeader.length - cluster.length;
  const lastBlockAt = full.length - simpleBlock(10).length;
  assert.deepEqual(issues.map((i) => [i.code, i.offset, i.message]), [
    ['EBML_TRUNCATED', lastBlockAt, `SimpleBlock at offset ${lastBlockAt} needs 7 more bytes than the input has (it ends at ${full.length}, the input at ${cut}); the Cluster at offset ${clusterAt} and the Segment at offset ${segmentAt} around it are cut too (7 and 7 bytes short).`],
  ]);
});

test('a master declared past the input that a top-level element ends: its own issue, apart from the cut after it', () => {
  // GetMedia-like: a Cluster whose size runs past the input, then the next document, itself cut
  const cluster = concat(idBytes(Id.Cluster), sizeBytes(2 ** 40, 8), uintElement(Id.Timestamp, 0), simpleBlock(0));
  const second = concat(ebmlHeader, element(Id.Segment, info));
  const bytes = concat(ebmlHeader, unknownSizeElement(Id.Segment, 8, cluster), second.subarray(0, second.length - 3));
  const clusterAt = ebmlHeader.length + 12;
  const muxingAppAt = bytes.length + 3 - stringElement(Id.MuxingApp, 'test').length; // Info's last child
  const { issues } = walkAll(bytes);
  assert.deepEqual(issues.map((i) => [i.code, i.offset]), [
    ['EBML_SIZE_PAST_PARENT', clusterAt],
    ['EBML_TRUNCATED', clusterAt],
    ['EBML_TRUNCATED', muxingAppAt],
  ]);
  assert.match(issues[2]?.message ?? '', /^MuxingApp at offset \d+ needs 3 more bytes .*; the Info at offset \d+ and the Segment at offset \d+ around it are cut too \(3 and 3 bytes short\)\.$/);
});

test('a child larger than its parent is reported and cut to the parent', () => {
  const badBlock = concat(idBytes(Id.SimpleBlock), sizeBytes(5000, 4), blockData(1, 0, 0x80, filled(20)));
  const cluster1 = element(Id.Cluster, uintElement(Id.Timestamp, 0), badBlock);
  const cluster2 = element(Id.Cluster, uintElement(Id.Timestamp, 1000), simpleBlock(0));
  const segment = element(Id.Segment, cluster1, cluster2);
  const { visits, issues } = walkAll(concat(ebmlHeader, segment, filled(6000)));
  assert.equal(issues[0]?.code, 'EBML_SIZE_PAST_PARENT');
  const blocks = named(visits, 'SimpleBlock');
  assert.equal(blocks.length, 2);
  assert.equal(blocks[0]?.end, named(visits, 'Cluster')[0]?.end);
  assert.equal(named(visits, 'Cluster').length, 2, 'the next cluster is read normally');
});

test('a Void whose size runs past its known-size Segment is a size past its parent, not truncation: it ends at the next Cluster, which is read', () => {
  const cluster = (timestamp: number, blockSize = 40) => element(Id.Cluster, uintElement(Id.Timestamp, timestamp), simpleBlock(0, blockSize));
  const pastTheInput = concat(idBytes(Id.Void), sizeBytes(2 ** 48 - 2, 8));
  const intoTheNextDocument = concat(idBytes(Id.Void), sizeBytes(500, 8)); // files joined end to end
  const nextDocument = concat(ebmlHeader, element(Id.Segment, cluster(2000, 600)));
  for (const [badVoid, after, timestamps] of [[pastTheInput, [], [0, 1000]], [intoTheNextDocument, nextDocument, [0, 1000, 2000]]] as const) {
    const head = concat(ebmlHeader, idBytes(Id.Segment), sizeBytes(info.length + cluster(0).length + badVoid.length + cluster(1000).length), info, cluster(0));
    const { visits, issues } = walkAll(concat(head, badVoid, cluster(1000), after));
    assert.deepEqual(issues.map((i) => [i.code, i.offset]), [['EBML_SIZE_PAST_PARENT', head.length]]);
    assert.match(issues[0]?.message ?? '', new RegExp(`^Void at offset ${head.length} ends at \\d+, past the end of its parent at \\d+: it is taken to end at ${head.length + badVoid.length}, where the next top-level element starts\\.$`));
    assert.equal(named(visits, 'Void')[0]?.end, head.length + badVoid.length);
    assert.deepEqual(named(visits, 'Timestamp').map((v) => v.value), timestamps);
  }
  // A master past its Segment's end is walked into, as before; its size is what is wrong, not the input.
  const hugeCluster = concat(idBytes(Id.Cluster), sizeBytes(2 ** 40, 8), uintElement(Id.Timestamp, 0), simpleBlock(0));
  const segment = element(Id.Segment, info, hugeCluster);
  const { codes, visits } = walkAll(concat(ebmlHeader, segment));
  assert.deepEqual(codes, ['EBML_SIZE_PAST_PARENT']);
  assert.equal(named(visits, 'SimpleBlock').length, 1);
});

test('invalid VINTs: the walk reports them and carries on at the next top-level element', () => {
  const cluster = (ts: number): Uint8Array => unknownSizeElement(Id.Cluster, 8, uintElement(Id.Timestamp, ts), simpleBlock(0));
  const garbage = Uint8Array.from([0x00, 0x00, 0x12, 0x34, 0x00]);
  const badSize = Uint8Array.from([0xa3, 0x00, 0x11, 0x22]); // SimpleBlock id, size byte 0x00
  const segment = unknownSizeElement(Id.Segment, 8, cluster(0), garbage, cluster(1000), badSize, cluster(2000));
  const { visits, issues } = walkAll(concat(ebmlHeader, segment));
  assert.deepEqual(issues.map((i) => i.code), ['EBML_INVALID_ID', 'EBML_INVALID_SIZE']);
  assert.match(issues[0]?.message ?? '', /skipped 5 bytes/);
  assert.deepEqual(named(visits, 'Timestamp').map((v) => v.value), [0, 1000, 2000]);
  // Garbage at the very start of the input: skipped to the EBML header.
  const late = walkAll(concat([0x00, 0x01, 0x02], ebmlHeader));
  assert.deepEqual(late.codes, ['EBML_INVALID_ID']);
  assert.equal(named(late.visits, 'EBML')[0]?.offset, 3);
});

test('unknown size on a non-master element and on masters that may not have it', () => {
  const leaf = concat(idBytes(Id.Timestamp), [0xff], [0x01]);
  const cluster = unknownSizeElement(Id.Cluster, 1, leaf, simpleBlock(0));
  const tracks = unknownSizeElement(Id.Tracks, 1, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1)));
  const { codes, visits } = walkAll(concat(ebmlHeader, unknownSizeElement(Id.Segment, 1, tracks, cluster, element(Id.Cluster))));
  assert.deepEqual(codes, ['EBML_UNKNOWN_SIZE_NOT_ALLOWED', 'EBML_UNKNOWN_SIZE']);
  assert.equal(named(visits, 'TrackNumber')[0]?.value, 1);
  assert.equal(named(visits, 'Cluster').length, 2, 'resynchronised on the second Cluster');
});

test('unknown ids are reported as info and skipped by their size', () => {
  const unknown = concat([0x5f, 0x01], sizeBytes(3), [1, 2, 3]);
  const { visits, issues } = walkAll(concat(ebmlHeader, element(Id.Segment, info, unknown, info)));
  assert.deepEqual(issues.map((i) => [i.code, i.severity]), [['EBML_UNKNOWN_ELEMENT', 'info']]);
  assert.equal(named(visits, 'Info').length, 2);
  assert.equal(named(visits, 'Unknown')[0]?.dataSize, 3);
});

test('cut at every byte: never throws, every element ends within the input, truncation is reported', () => {
  const cluster = unknownSizeElement(Id.Cluster, 8, uintElement(Id.Timestamp, 0), simpleBlock(0, 5), simpleBlock(10, 5));
  const knownCluster = element(Id.Cluster, uintElement(Id.Timestamp, 20), simpleBlock(0, 5));
  const full = concat(ebmlHeader, unknownSizeElement(Id.Segment, 8, info, knownCluster, cluster));
  const whole = walkAll(full).visits;
  for (let cut = 0; cut <= full.length; cut++) {
    const { visits, codes } = walkAll(full.subarray(0, cut));
    for (const v of visits) assert.ok(v.end <= cut, `cut ${cut}: ${v.name} ends at ${v.end}`);
    // Cut inside a header, or inside the data of an element with a known size?
    const inside = whole.some((v) => {
      const headerEnd = v.offset + (v.dataSize === null ? 4 + 8 : v.end - v.offset - (v.dataSize ?? 0));
      return cut > v.offset && (cut < headerEnd || (v.dataSize !== null && cut < v.end));
    });
    if (inside) assert.deepEqual(codes, ['EBML_TRUNCATED'], `cut ${cut}: one cut, one issue`);
    else assert.deepEqual(codes, [], `cut ${cut} falls between elements`);
    assert.ok(visits.length <= whole.length);
  }
});

test('masters nested too deeply are skipped, not recursed into', () => {
  let nested: Uint8Array = element(Id.SimpleTag, stringElement(Id.TagName, 'deep'));
  for (let i = 0; i < 40; i++) nested = element(Id.SimpleTag, nested);
  const { codes, visits } = walkAll(concat(ebmlHeader, element(Id.Segment, element(Id.Tags, element(Id.Tag, nested)))));
  assert.deepEqual(codes, ['EBML_TOO_DEEP']);
  assert.equal(Math.max(...visits.map((v) => v.level)), 32);
});

test('issues are kept up to maxIssuesPerCode of each code, the rest counted in one issue at the first not kept', () => {
  // Inside a Segment: at the root an unknown id is stray bytes, skipped to the next sync point at once.
  const unknowns = Array.from({ length: 50 }, () => concat([0x5f, 0x01], sizeBytes(0)));
  const segment = element(Id.Segment, ...unknowns);
  const result = walkEbml(bytesSource(segment), matroskaSchema(), { enter: () => undefined }, { maxIssuesPerCode: 10 });
  assert.deepEqual(result.issues.map((i) => i.code), [...Array<string>(10).fill('EBML_UNKNOWN_ELEMENT'), 'ISSUES_SUPPRESSED']);
  const headerSize = segment.length - 50 * 3;
  assert.deepEqual(result.issues.at(-1), {
    severity: 'info', code: 'ISSUES_SUPPRESSED', message: "40 more 'EBML_UNKNOWN_ELEMENT' issues not listed (50 in all)", offset: headerSize + 10 * 3, notListed: 40,
  });
});

function shape(nodes: readonly EbmlNode[] | undefined): unknown[] {
  return (nodes ?? []).map((n) => [n.name, n.offset, n.end, n.children ? shape(n.children) : null]);
}

test('readTree builds the tree; unexpanded clusters are read later with readChildren', () => {
  const cluster1 = unknownSizeElement(Id.Cluster, 1, uintElement(Id.Timestamp, 0), simpleBlock(0), simpleBlock(40));
  const cluster2 = element(Id.Cluster, uintElement(Id.Timestamp, 80), element(Id.BlockGroup, element(Id.Block, blockData(1, 0, 0, filled(9))), uintElement(Id.ReferenceBlock, 1)));
  const bytes = concat(ebmlHeader, unknownSizeElement(Id.Segment, 8, info, cluster1, cluster2));
  const source = bytesSource(bytes);
  const full = readTree(source, matroskaSchema());
  const lazy = readTree(source, matroskaSchema(), { expand: (e) => e.name !== 'Cluster' });
  assert.deepEqual(full.issues, []);
  assert.deepEqual(lazy.issues, []);
  const fullClusters = full.nodes[1]?.children?.filter((n) => n.name === 'Cluster') ?? [];
  const lazyClusters = lazy.nodes[1]?.children?.filter((n) => n.name === 'Cluster') ?? [];
  assert.equal(lazyClusters.length, 2);
  assert.equal(lazyClusters[0]?.children, undefined);
  assert.equal(lazyClusters[0]?.end, fullClusters[0]?.end, 'an unexpanded unknown-size cluster still gets its end');
  for (let i = 0; i < 2; i++) {
    const lazyCluster = lazyClusters[i];
    assert.ok(lazyCluster);
    const children = readChildren(source, matroskaSchema(), lazyCluster);
    assert.deepEqual(children.issues, []);
    assert.deepEqual(shape(children.nodes), shape(fullClusters[i]?.children));
    assert.ok(children.nodes.every((n) => n.level === 2));
  }
  const timestamp = readTree(source, matroskaSchema(), { values: false }).nodes[1]?.children?.[1]?.children?.[0];
  assert.ok(timestamp);
  assert.equal(timestamp.value, undefined);
  assert.equal(readValue(source, timestamp), 0);
});
