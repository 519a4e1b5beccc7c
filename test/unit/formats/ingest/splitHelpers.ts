// Feeding the PutMedia splitter in chunks, and checking its fragments against readMatroska.
import assert from 'node:assert/strict';
import { bytesSource } from '../../../../src/formats/byteSource';
import type { ErrorEvent, FragmentEvent, HeaderEvent, IngestEvent, TagsEvent } from '../../../../src/formats/matroska/ingest';
import { PutMediaSplitter, type PutMediaSplitterOptions } from '../../../../src/formats/matroska/ingest';
import { BlockFlag } from '../../../../src/formats/matroska/blockTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { concatBytes, getMediaHeader } from '../../../../src/formats/matroska/write';
import { prng } from '../writer/mkvFixtures';

export type Chunking = number | 'random' | 'whole';

export interface SplitResult {
  events: IngestEvent[];
  headers: HeaderEvent[];
  fragments: FragmentEvent[];
  tags: TagsEvent[];
  errors: ErrorEvent[];
  /** Most bytes the splitter held at once. */
  maxBuffered: number;
  /** Stream position when each event came out. */
  positions: number[];
}

/** Pushes `bytes` in chunks of `chunking` bytes (random: 1..4096, seeded), then ends. */
export function split(bytes: Uint8Array, chunking: Chunking, options: PutMediaSplitterOptions = {}, seed = 1): SplitResult {
  const splitter = new PutMediaSplitter(options);
  const events: IngestEvent[] = [];
  const positions: number[] = [];
  let maxBuffered = 0;
  const random = prng(seed);
  const collect = (list: IngestEvent[]): void => {
    for (const event of list) {
      events.push(event);
      positions.push(splitter.position);
    }
    maxBuffered = Math.max(maxBuffered, splitter.bufferedBytes);
  };
  let at = 0;
  while (at < bytes.length) {
    const size = chunking === 'whole' ? bytes.length : chunking === 'random' ? 1 + Math.floor(random() * 4096) : chunking;
    collect(splitter.push(bytes.subarray(at, at + size)));
    at += size;
  }
  collect(splitter.end());
  return {
    events,
    headers: events.filter((e): e is HeaderEvent => e.type === 'header'),
    fragments: events.filter((e): e is FragmentEvent => e.type === 'fragment'),
    tags: events.filter((e): e is TagsEvent => e.type === 'tags'),
    errors: events.filter((e): e is ErrorEvent => e.type === 'error'),
    maxBuffered,
    positions,
  };
}

/**
 * The fragments must be the clusters readMatroska finds (offsets, timecodes, blocks, tracks, key flags),
 * and each emitted cluster must read back on its own (after its header) with known size and the same blocks.
 */
export function checkAgainstReader(bytes: Uint8Array, result: SplitResult, label: string): void {
  assert.deepEqual(result.errors, [], `${label}: no errors`);
  const mkv = readMatroska(bytesSource(bytes));
  assert.equal(result.fragments.length, mkv.clusters.length, `${label}: one fragment per cluster`);
  const table = mkv.blocks;

  // Header events: one per Segment that has Tracks, with the same tracks.
  const segments = mkv.documents.flatMap((d) => d.segments).filter((s) => s.tracks.length > 0);
  assert.equal(result.headers.length, segments.length, `${label}: header events`);
  segments.forEach((segment, i) => {
    const header = result.headers[i];
    assert.ok(header);
    assert.equal(header.timestampScale, segment.info.timestampScale);
    assert.deepEqual(
      header.tracks.map((t) => [t.number, t.type, t.codecId, t.codecPrivate ? Array.from(t.codecPrivate) : undefined]),
      segment.tracks.map((t) => [t.number, t.type, t.codecId, t.codecPrivate ? Array.from(bytes.subarray(t.codecPrivate.offset, t.codecPrivate.offset + t.codecPrivate.size)) : undefined]),
      `${label}: header tracks`,
    );
  });

  let headerIndex = -1;
  mkv.clusters.forEach((cluster, i) => {
    const fragment = result.fragments[i];
    assert.ok(fragment);
    const where = `${label}: cluster ${i}`;
    assert.equal(fragment.offset, cluster.offset, `${where} offset`);
    assert.equal(fragment.timecode, cluster.timecode, `${where} timecode`);
    assert.equal(fragment.timecodeMs, cluster.timeMs, `${where} timecodeMs`);
    assert.equal(fragment.blockCount, cluster.blockCount, `${where} blocks`);
    const rows = range(cluster.firstBlock, cluster.endBlock);
    assert.deepEqual(fragment.tracks, [...new Set(rows.map((r) => table.track[r] ?? 0))].sort((a, b) => a - b), `${where} tracks`);
    if (rows.length > 0) {
      const times = rows.map((r) => table.timeMs[r] ?? 0);
      assert.equal(fragment.startMs, Math.min(...times), `${where} startMs`);
      assert.equal(fragment.endMs, Math.max(...times), `${where} endMs`);
      assert.equal(fragment.keyframeFirst, ((table.flags[rows[0] ?? 0] ?? 0) & BlockFlag.Key) !== 0, `${where} keyframeFirst`);
      assert.ok(fragment.durationMs >= fragment.endMs - fragment.startMs, `${where} duration`);
      assert.ok(fragment.durationMs < fragment.endMs - fragment.startMs + 1000, `${where} duration estimate`);
    }
    if (cluster.dataSize !== null) assert.deepEqual(fragment.cluster, bytes.subarray(cluster.offset, cluster.end), `${where}: known-size cluster passed through`);

    // The header in force: the last header event before this fragment.
    while ((result.headers[headerIndex + 1]?.offset ?? Infinity) < fragment.offset) headerIndex++;
    const header = result.headers[headerIndex];
    assert.ok(header, `${where}: a header came before`);
    const again = readMatroska(bytesSource(concatBytes([getMediaHeader(header.bytes), fragment.cluster])));
    assert.deepEqual(again.issues.filter((issue) => issue.severity !== 'info'), [], `${where}: re-parse`);
    assert.equal(again.clusters.length, 1);
    const one = again.clusters[0];
    assert.ok(one);
    assert.notEqual(one.dataSize, null, `${where}: known size`);
    assert.equal(one.end - one.offset, fragment.cluster.length);
    assert.equal(one.timecode, cluster.timecode);
    assert.equal(one.blockCount, cluster.blockCount);
    assert.deepEqual(
      range(0, again.blocks.count).map((r) => [again.blocks.track[r], again.blocks.timecode[r], again.blocks.flags[r], again.blocks.payloadSize[r]]),
      rows.map((r) => [table.track[r], table.timecode[r], table.flags[r], table.payloadSize[r]]),
      `${where}: blocks`,
    );
  });
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
