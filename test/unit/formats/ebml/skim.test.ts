// The walker's fast paths (EbmlVisitor.skim: TreeBuilder's, MatroskaReader's) give what the plain walk
// gives, on real files, damaged copies of them, and with options that make the skim leave elements to
// the walker (shallow maxDepth, no values).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ByteSource } from '../../../../src/formats/byteSource';
import { bytesSource } from '../../../../src/formats/byteSource';
import type { TreeOptions } from '../../../../src/formats/ebml/tree';
import { readTree, TreeBuilder } from '../../../../src/formats/ebml/tree';
import { walkEbml } from '../../../../src/formats/ebml/walker';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { matroskaSchema } from '../../../../src/formats/matroska/schema';
import { concat, element, filled, idBytes, uintElement, unknownSize } from './ebmlBytes';

const media = 'test/fixtures/media';
const files = readdirSync(media)
  .filter((n) => n.endsWith('.mkv'))
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(media, name))) }));

/** readTree without the skim: the TreeBuilder behind a visitor that only has enter and leave. */
function plainTree(source: ByteSource, options: TreeOptions): ReturnType<typeof readTree> {
  const builder = new TreeBuilder(options.expand);
  const { issues } = walkEbml(source, matroskaSchema(), { enter: (e) => builder.enter(e), leave: (e) => builder.leave(e) }, options);
  return { nodes: builder.nodes, issues };
}

/** A source that is not a bytesSource (no window of its own): the walker reads it through read(). */
function readOnly(bytes: Uint8Array): ByteSource {
  const inner = bytesSource(bytes);
  return { size: inner.size, read: (offset, length) => inner.read(offset, length) };
}

function damaged(bytes: Uint8Array, seed: number): Uint8Array {
  const copy = bytes.slice();
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state % n;
  };
  // Mostly where the headers are: the start (EBML header, SeekHead, Info, Tracks) and the end (Cues, Tags).
  for (let i = 0; i < 1 + next(8); i++) {
    const where = next(3);
    const at = where === 0 ? next(copy.length) : where === 1 ? next(2000) : copy.length - 1 - next(2000);
    copy[Math.max(0, at)] = next(256);
  }
  return copy;
}

const optionSets: TreeOptions[] = [{}, { maxDepth: 3 }, { values: false }, { expand: (e) => e.id !== Id.Cluster }, { maxIssuesPerCode: 3 }];

test('readTree with the skim equals the plain walk, clean and damaged, every option', () => {
  for (const { name, bytes } of files) {
    for (let seed = 0; seed < 12; seed++) {
      const input = seed === 0 ? bytes : damaged(bytes, seed);
      for (const options of optionSets) {
        const expected = plainTree(bytesSource(input), options);
        assert.deepEqual(readTree(bytesSource(input), matroskaSchema(), options), expected, `${name} seed ${seed}`);
        assert.deepEqual(readTree(readOnly(input), matroskaSchema(), options), expected, `${name} seed ${seed} (read only)`);
      }
    }
  }
});

test('readMatroska: the same model through any source, and its tree equals the plain walk', () => {
  for (const { name, bytes } of files) {
    for (let seed = 0; seed < 8; seed++) {
      const input = seed === 0 ? bytes : damaged(bytes, seed);
      const expand = (e: { id: number }): boolean => e.id !== Id.Cluster;
      const fast = readMatroska(bytesSource(input), { blocks: true, tree: { expand } });
      assert.deepEqual(readMatroska(readOnly(input), { blocks: true, tree: { expand } }), fast, `${name} seed ${seed}`);
      assert.deepEqual(fast.tree, plainTree(bytesSource(input), { expand }).nodes, `${name} seed ${seed} tree`);
      const full = readMatroska(bytesSource(input), { blocks: true, tree: {} });
      assert.deepEqual(full.tree, plainTree(bytesSource(input), {}).nodes, `${name} seed ${seed} full tree`);
      assert.deepEqual(full.blocks, fast.blocks, `${name} seed ${seed} blocks`);
    }
  }
});

test('unknown-size masters and elements the schema does not know are left to the walker', () => {
  const cluster = concat(idBytes(Id.Cluster), unknownSize(8), uintElement(Id.Timestamp, 5), element(0x4321, filled(2)), element(Id.Void, filled(2)));
  const input = concat(element(Id.Segment, element(Id.Info, uintElement(Id.TimestampScale, 1000)), cluster, element(Id.Cues)));
  for (const options of optionSets) assert.deepEqual(readTree(bytesSource(input), matroskaSchema(), options), plainTree(bytesSource(input), options));
});

test('readMatroska: a file with more SimpleBlocks than the block table first makes room for', () => {
  // A small file makes room for 1 024 rows; 3 000 blocks make the table grow inside the skim.
  const clusters: Uint8Array[] = [];
  for (let c = 0; c < 30; c++) {
    const blocks = Array.from({ length: 100 }, (_, b) => element(Id.SimpleBlock, [0x81, 0, b, b === 0 ? 0x80 : 0, c, b]));
    clusters.push(element(Id.Cluster, uintElement(Id.Timestamp, c * 1000), ...blocks));
  }
  const tracks = element(Id.Tracks, element(Id.TrackEntry, uintElement(Id.TrackNumber, 1), uintElement(Id.TrackUID, 1), uintElement(Id.TrackType, 1)));
  const input = concat(element(Id.Segment, element(Id.Info, uintElement(Id.TimestampScale, 1_000_000)), tracks, ...clusters));
  const { blocks } = readMatroska(bytesSource(input), { blocks: true });
  assert.equal(blocks.count, 3000);
  for (let i = 0; i < 3000; i++) {
    const c = Math.floor(i / 100);
    const b = i % 100;
    assert.equal(blocks.timecode[i], c * 1000 + b, `block ${i} timecode`);
    assert.equal(blocks.cluster[i], c, `block ${i} cluster`);
    assert.equal(blocks.payloadSize[i], 2, `block ${i} payload size`);
    const offset = blocks.payloadOffset[i] ?? 0;
    assert.deepEqual([...input.subarray(offset, offset + 2)], [c, b], `block ${i} payload`);
  }
});
